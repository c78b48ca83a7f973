package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.sse.DisconnectReason;
import io.herald.testing.H2TestClient;
import io.herald.testing.Http;
import io.herald.testing.IngestTestClient;
import io.herald.testing.SseTestClient;
import io.herald.testing.Tokens;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitsTest extends HeraldTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @Test
  void streamOverTheConnectionLimitGets200AndAJitteredRetryThenTheEnd() throws Exception {
    start(b -> b.maxConnections(2).retryMillis(2000));
    try (SseTestClient a = SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of());
        SseTestClient b = SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of());
        SseTestClient over = SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of())) {
      assertEquals(200, over.status(), "a non-200 answer would make EventSource give up");
      assertEquals("text/event-stream; charset=utf-8", over.header("Content-Type"));
      over.awaitClosed(WAIT);
      int retry = over.awaitRetry(WAIT);
      assertTrue(retry >= 2000 && retry <= 4000, "jittered retry, got " + retry);
      assertEquals(List.of(), over.eventsSoFar());
      assertEquals(1, herald.server().stats().disconnects(DisconnectReason.LIMIT));
      a.awaitComment(c -> c.contains("herald"), WAIT);
      b.awaitComment(c -> c.contains("herald"), WAIT);
    }
  }

  @Test
  void streamsOverThePerAddressLimitGetARetryAndAFreedPlaceIsGivenAgain() throws Exception {
    start(b -> b.maxStreamsPerIp(2).retryMillis(2000));
    SseTestClient a = SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of());
    try (SseTestClient b = SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of())) {
      a.awaitComment(c -> c.contains("herald"), WAIT);
      b.awaitComment(c -> c.contains("herald"), WAIT);
      try (SseTestClient over = SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of())) {
        assertEquals(200, over.status(), "a non-200 answer would make EventSource give up");
        assertEquals("text/event-stream; charset=utf-8", over.header("Content-Type"));
        over.awaitClosed(WAIT);
        int retry = over.awaitRetry(WAIT);
        assertTrue(retry >= 2000 && retry <= 4000, "jittered retry, got " + retry);
        assertEquals(List.of(), over.eventsSoFar());
      }
      assertEquals(1, herald.server().stats().disconnects(DisconnectReason.LIMIT));
      a.close();
      Conditions.await(() -> herald.server().stats().streams() == 1, WAIT, "a's stream to end");
      try (SseTestClient again = SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of())) {
        again.awaitComment(c -> c.contains("herald"), WAIT);
        Http.post(herald.httpPort(), "/publish", "{\"topic\":\"t\",\"data\":\"x\"}");
        assertEquals("x", again.awaitEvent(WAIT).data(), "the freed place serves events");
        assertEquals(1, herald.server().stats().disconnects(DisconnectReason.LIMIT));
      }
    }
  }

  @Test
  void streamsOverThePerUserLimitGetARetryWhileOtherUsersAreServed() throws Exception {
    start(b -> b.jwtSecret(Tokens.SECRET).maxStreamsPerUser(1).retryMillis(2000));
    Map<String, String> alice = Map.of("Authorization", "Bearer " + Tokens.hs256("alice"));
    Map<String, String> bob = Map.of("Authorization", "Bearer " + Tokens.hs256("bob"));
    SseTestClient first = SseTestClient.open(herald.httpPort(), "/events", alice);
    first.awaitComment(c -> c.contains("herald"), WAIT);
    try (SseTestClient second = SseTestClient.open(herald.httpPort(), "/events", alice);
        SseTestClient other = SseTestClient.open(herald.httpPort(), "/events", bob)) {
      assertEquals(200, second.status());
      second.awaitClosed(WAIT);
      assertTrue(second.awaitRetry(WAIT) >= 2000);
      other.awaitComment(c -> c.contains("herald"), WAIT);
      assertTrue(!other.isClosed(), "another user is not limited by alice's streams");
      first.close();
      Conditions.await(() -> herald.server().stats().streams() == 1, WAIT, "alice's stream to end");
      try (SseTestClient again = SseTestClient.open(herald.httpPort(), "/events", alice)) {
        again.awaitComment(c -> c.contains("herald"), WAIT);
        assertEquals(1, herald.server().stats().disconnects(DisconnectReason.LIMIT));
      }
    }
  }

  @Test
  void http2StreamsCountAgainstTheSameLimits() throws Exception {
    start(b -> b.maxStreamsPerIp(1).retryMillis(2000));
    try (H2TestClient h2 = H2TestClient.connect(herald.httpPort())) {
      H2TestClient.Stream first = h2.get("/events?topic=t", Map.of());
      h2.await(() -> first.body().contains("herald"), WAIT, "the first stream to open");
      H2TestClient.Stream over = h2.get("/events?topic=t", Map.of());
      h2.await(over::isEnded, WAIT, "the stream over the limit to end");
      assertEquals(200, over.status());
      assertTrue(over.body().contains("retry:"), over.body());
      assertTrue(!first.isEnded(), "the stream under the limit goes on");
    }
  }

  @Test
  void closedStreamsAreNoticedAndFreedPromptly() throws Exception {
    start();
    SseTestClient client = SseTestClient.open(herald.httpPort(), "/events?topic=t&topic=u", Map.of());
    client.awaitComment(c -> c.contains("herald"), WAIT);
    assertEquals(1, herald.server().stats().streams());
    client.close();
    Conditions.await(() -> herald.server().stats().streams() == 0, WAIT, "the stream to be freed");
    Conditions.await(
        () -> herald.server().stats().httpConnections() == 0, WAIT, "the connection to be freed");
    assertEquals(1, herald.server().stats().disconnects(DisconnectReason.CLIENT_GONE));
  }

  @Test
  void publisherThatDoesNotReadItsAnswersIsHeldBackAndLosesNothing() throws Exception {
    start();
    // One line in a hundred is an event; the others are refused with a long error answer, so
    // ~8 MB of answers (more than the kernel buffers between the sockets) cost few events.
    int n = 100_000;
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(65536);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", herald.ingestPort()));
      OutputStream out = socket.getOutputStream();
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < n; i++) {
        lines.append("{\"topic\":\"bp\",\"data\":").append(i);
        lines.append(i % 100 == 0 ? "}\n" : ",\"unexpected-field\":true}\n");
      }
      byte[] bytes = lines.toString().getBytes(StandardCharsets.UTF_8);
      Thread writer =
          new Thread(
              () -> {
                try {
                  out.write(bytes);
                  out.flush();
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      writer.start();
      // Herald stops reading once its answers back up, so the writer cannot finish...
      Conditions.await(
          () -> herald.server().stats().ingestPauses() > 0, WAIT, "Herald to stop reading");
      assertTrue(herald.server().stats().published() < n / 100, "Herald read everything unanswered");
      // ...until the publisher reads; then every line is answered, in order, and nothing is lost.
      List<String> answers = IngestTestClient.over(socket).replies(n);
      writer.join(WAIT.toMillis());
      for (int i = 0; i < n; i++) {
        String answer = answers.get(i);
        assertTrue(
            i % 100 == 0 ? answer.startsWith("{\"id\":") : answer.endsWith(",\"line\":" + (i + 1) + "}"),
            answer);
      }
      assertEquals(n / 100, herald.server().stats().published());
    }
  }
}
