package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.sse.DisconnectReason;
import io.herald.testing.H2TestClient;
import io.herald.testing.IngestTestClient;
import io.herald.testing.SseTestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Event streams over HTTP/2 (prior knowledge), many per connection, with Netty's client. */
class Http2StreamsTest extends HeraldTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private static boolean opened(H2TestClient.Stream stream) {
    return stream.status() == 200 && stream.body().contains(": herald\n\n");
  }

  @Test
  void manyStreamsOnOneConnectionEachReceiveTheirTopics() throws Exception {
    start();
    try (H2TestClient client = H2TestClient.connect(herald.httpPort());
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      H2TestClient.Stream a1 = client.get("/events?topic=a", Map.of());
      H2TestClient.Stream a2 = client.get("/events?topic=a", Map.of());
      H2TestClient.Stream b = client.get("/events?topic=b&topic=a", Map.of());
      client.await(() -> opened(a1) && opened(a2) && opened(b), WAIT, "three open streams");
      assertTrue(a1.body().startsWith("retry: 3000\n"));
      assertEquals(1, herald.server().stats().httpConnections());
      assertEquals(3, herald.server().stats().streams());
      String idA = ingest.publish("a", "\"for a\"");
      String idB = ingest.publish("b", "\"for b\"");
      client.await(() -> a1.events().size() == 1 && a2.events().size() == 1 && b.events().size() == 2, WAIT, "events");
      assertEquals(List.of(new SseTestClient.Event(idA, "message", "for a")), a1.events());
      assertEquals(List.of(idA, idB), b.events().stream().map(SseTestClient.Event::id).toList());
    }
  }

  @Test
  void replayAndResetWorkPerStream() throws Exception {
    start(b -> b.historySize(3));
    try (H2TestClient client = H2TestClient.connect(herald.httpPort());
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      List<String> ids = new java.util.ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        ids.add(ingest.publish("r", String.valueOf(i)));
      }
      H2TestClient.Stream resumed = client.get("/events?topic=r", Map.of("Last-Event-ID", ids.get(2)));
      H2TestClient.Stream tooOld = client.get("/events?topic=r", Map.of("Last-Event-ID", ids.get(0)));
      client.await(() -> resumed.events().size() == 2 && tooOld.events().size() == 1, WAIT, "replay and reset");
      assertEquals(ids.subList(3, 5), resumed.events().stream().map(SseTestClient.Event::id).toList());
      assertEquals("reset", tooOld.events().get(0).type());
      assertTrue(tooOld.events().get(0).data().contains("\"earliest\":\"" + ids.get(2) + "\""));
    }
  }

  @Test
  void requestsOtherThanStreamsAreAnsweredLikeHttp1() throws Exception {
    start();
    try (H2TestClient client = H2TestClient.connect(herald.httpPort())) {
      H2TestClient.Stream missing = client.get("/nope", Map.of());
      H2TestClient.Stream badTopic = client.get("/events?topic=a%20b", Map.of());
      H2TestClient.Stream published = client.post("/publish", "{\"topic\":\"p\",\"data\":1}");
      client.await(() -> missing.isEnded() && badTopic.isEnded() && published.isEnded(), WAIT, "answers");
      assertEquals(404, missing.status());
      assertEquals(400, badTopic.status());
      assertTrue(badTopic.body().contains("bad topic 'a b'"), badTopic.body());
      assertEquals(200, published.status());
      assertTrue(published.body().startsWith("{\"id\":\""), published.body());
    }
  }

  @Test
  void streamCutWithHundredsOfEventsPendingDoesNotEndItsConnection() throws Exception {
    // Each event still held for a reset stream fails when it is dropped; those failures must
    // not become resets of their own, or Herald trips its own reset-flood limit (200 per 30 s)
    // and closes the connection with every healthy stream on it.
    start(b -> b.queueEvents(1000).queueBytes(16L << 20));
    try (H2TestClient client = H2TestClient.connect(herald.httpPort(), 4 * 1024);
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      H2TestClient.Stream stalled = client.getStalled("/events?topic=t");
      H2TestClient.Stream healthy = client.get("/events?topic=t", Map.of());
      client.await(() -> opened(healthy) && herald.server().stats().streams() == 2, WAIT, "streams");
      // One at a time, so that each is its own write (a batch would go out as one run): past
      // the stalled stream's 4 KiB window, over 1,000 writes queue up for it.
      int events = 1300;
      for (int i = 0; i < events; i++) {
        ingest.publish("t", String.valueOf(i));
        int expected = i + 1;
        client.await(() -> healthy.events().size() == expected, WAIT, expected + " events on the healthy stream");
      }
      client.await(() -> stalled.resetCode() == 0x8, WAIT, "RST_STREAM CANCEL on the stalled stream");
      client.await(() -> healthy.events().size() == events, WAIT, "every event on the healthy stream");
      String id = ingest.publish("t", "\"after the cut\"");
      client.await(() -> healthy.events().size() == events + 1, WAIT, "the healthy stream to go on");
      assertEquals(id, healthy.events().get(events).id());
      assertTrue(client.isOpen(), "the connection itself stays open");
    }
  }

  @Test
  void stalledStreamIsResetWhileItsSiblingsKeepReceiving() throws Exception {
    start(b -> b.queueEvents(64).queueBytes(64 * 1024));
    String payload = "\"" + "x".repeat(4000) + "\"";
    try (H2TestClient client = H2TestClient.connect(herald.httpPort(), 16 * 1024);
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      H2TestClient.Stream stalled = client.getStalled("/events?topic=t");
      H2TestClient.Stream healthy = client.get("/events?topic=t", Map.of());
      client.await(() -> opened(healthy) && herald.server().stats().streams() == 2, WAIT, "streams");
      StringBuilder round = new StringBuilder();
      for (int i = 0; i < 10; i++) {
        round.append("{\"topic\":\"t\",\"data\":").append(payload).append("}\n");
      }
      int events = 300; // 1.2 MB: far past the stalled stream's window and queue
      for (int sent = 10; sent <= events; sent += 10) {
        ingest.pipeline(round.toString(), 10);
        int expected = sent;
        client.await(() -> healthy.events().size() == expected, WAIT, expected + " events on the healthy stream");
      }
      client.await(() -> stalled.resetCode() == 0x8, WAIT, "RST_STREAM CANCEL on the stalled stream");
      assertEquals(1, herald.server().stats().disconnects(DisconnectReason.SLOW_CONSUMER));
      assertTrue(client.isOpen(), "the connection itself stays open");
    }
  }

  @Test
  void emptyDataFloodGetsGoAway() throws Exception {
    start();
    try (H2TestClient attacker = H2TestClient.connect(herald.httpPort())) {
      H2TestClient.Stream open = attacker.request("POST", "/publish");
      attacker.emptyDataFlood(open, 100);
      long code = attacker.awaitGoAwayOrClose(WAIT);
      assertEquals(0xb, code, "GOAWAY ENHANCE_YOUR_CALM");
    }
  }
}
