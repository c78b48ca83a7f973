package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.history.EventId;
import io.herald.testing.IngestTestClient;
import io.herald.testing.SseTestClient;
import io.herald.testing.TestHerald;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IngestProtocolTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private TestHerald herald;

  @BeforeEach
  void start() {
    herald = TestHerald.start(b -> b.ingestMaxLine(1024));
  }

  @AfterEach
  void stop() {
    herald.close();
  }

  @Test
  void malformedLineGetsAnErrorWithItsNumberAndTheConnectionGoesOn() throws Exception {
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      ingest.send("{\"topic\":\"t\",\"data\":1}\nnot json\n{\"topic\":\"bad topic\",\"data\":1}\n{\"topic\":\"t\",\"data\":2}\n");
      List<String> replies = ingest.replies(4);
      assertTrue(replies.get(0).startsWith("{\"id\":\""), replies.get(0));
      assertTrue(replies.get(1).startsWith("{\"error\":\"not valid JSON"), replies.get(1));
      assertTrue(replies.get(1).endsWith(",\"line\":2}"), replies.get(1));
      assertTrue(replies.get(2).contains("topic"), replies.get(2));
      assertTrue(replies.get(2).endsWith(",\"line\":3}"), replies.get(2));
      assertTrue(replies.get(3).startsWith("{\"id\":\""), replies.get(3));
    }
  }

  @Test
  void publisherThatHalfClosesAfterItsLastLineGetsEveryAnswer() throws Exception {
    // `printf ... | nc -N`: write every line, shut the write side, then read the answers until
    // EOF. The answers to the bad lines outgrow the socket buffers, so Herald is still writing
    // them long after the client's end of input: none may be lost.
    int events = 100;
    int bad = 100_000;
    StringBuilder batch = new StringBuilder();
    for (int i = 0; i < events; i++) {
      batch.append("{\"topic\":\"t\",\"data\":").append(i).append("}\n");
    }
    batch.append("x\n".repeat(bad));
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", herald.ingestPort()));
      socket.setSoTimeout((int) WAIT.toMillis());
      byte[] bytes = batch.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      Thread writer = new Thread(() -> {
        try {
          socket.getOutputStream().write(bytes);
          socket.shutdownOutput();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      writer.start();
      List<String> answers =
          new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
              .lines()
              .toList();
      writer.join();
      assertEquals(events + bad, answers.size(), "one answer per line, then the end of the stream");
      assertTrue(answers.subList(0, events).stream().allMatch(a -> a.startsWith("{\"id\":\"")));
      String last = answers.get(answers.size() - 1);
      assertTrue(last.endsWith(",\"line\":" + (events + bad) + "}"), last);
    }
    assertEquals(events, herald.server().stats().published());
  }

  @Test
  void overlongLineIsRefusedWithoutClosingTheConnection() throws Exception {
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      String huge = "{\"topic\":\"t\",\"data\":\"" + "z".repeat(5000) + "\"}";
      ingest.send(huge + "\n{\"topic\":\"t\",\"data\":\"small\"}\n");
      List<String> replies = ingest.replies(2);
      assertTrue(replies.get(0).startsWith("{\"error\":"), replies.get(0));
      assertTrue(replies.get(0).endsWith(",\"line\":1}"), replies.get(0));
      assertTrue(replies.get(1).startsWith("{\"id\":\""), replies.get(1));
    }
  }

  @Test
  void httpRequestOnTheIngestPortClosesTheConnectionAndPublishesNothing() throws Exception {
    try (SseTestClient subscriber = SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of());
        IngestTestClient browser = new IngestTestClient(herald.ingestPort())) {
      subscriber.awaitComment(c -> c.contains("herald"), WAIT);
      browser.send(
          "POST / HTTP/1.1\r\nHost: 127.0.0.1:7070\r\nContent-Type: text/plain\r\n\r\n"
              + "{\"topic\":\"t\",\"data\":\"forged\"}\n");
      assertEquals(List.of(), browser.readUntilClosed());
      assertEquals(0, herald.server().stats().published());
      try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
        String id = ingest.publish("t", "\"real\"");
        var first = subscriber.awaitEvent(WAIT);
        assertEquals(id, first.id(), "the forged event must never have been published");
      }
    }
  }

  @Test
  void pipelinedLinesAreAllAcknowledgedInOrderWithIncreasingIds() throws Exception {
    int n = 10_000;
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < n; i++) {
        lines.append("{\"topic\":\"bulk\",\"data\":").append(i).append("}\n");
      }
      EventId previous = null;
      for (String reply : ingest.pipeline(lines.toString(), n)) {
        EventId id = EventId.parse(IngestTestClient.idOf(reply));
        assertTrue(previous == null || id.compareTo(previous) > 0, reply);
        previous = id;
      }
    }
  }

  @Test
  void lineSplitAcrossManyWritesIsOneEvent() throws Exception {
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      String line = "{\"topic\":\"t\",\"data\":\"split\"}\r\n";
      for (char c : line.toCharArray()) {
        ingest.send(String.valueOf(c));
      }
      assertTrue(ingest.reply().startsWith("{\"id\":\""));
    }
  }

  @Test
  void publisherThatDisconnectsMidLinePublishesItsWholeLinesAndNotTheCutOne() throws Exception {
    // A publisher that dies mid-write: two whole lines, then half of a third, then the end of
    // its stream, without reading a single answer. The whole lines were accepted and must be
    // delivered; the cut one is no event at all (not an empty or truncated one).
    try (SseTestClient subscriber = SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of())) {
      subscriber.awaitComment(c -> c.contains("herald"), WAIT);
      try (java.net.Socket publisher = new java.net.Socket("127.0.0.1", herald.ingestPort())) {
        publisher.getOutputStream().write(
            "{\"topic\":\"t\",\"data\":1}\n{\"topic\":\"t\",\"data\":2}\n{\"topic\":\"t\",\"da"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } // closed: FIN after the half line
      List<SseTestClient.Event> whole = subscriber.awaitEvents(2, WAIT);
      assertEquals(List.of("1", "2"), whole.stream().map(SseTestClient.Event::data).toList());
      // Once the publisher's end of stream was read, a marker comes next: nothing from the cut
      // line got between them.
      Conditions.await(() -> herald.server().stats().ingestConnections() == 0, WAIT, "publisher gone");
      try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
        String marker = ingest.publish("t", "\"after\"");
        SseTestClient.Event next = subscriber.awaitEvent(WAIT);
        assertEquals(marker, next.id());
        assertEquals("after", next.data());
      }
      assertEquals(3, herald.server().stats().published(), "the cut line was not published");
    }
  }
}
