package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.sse.DisconnectReason;
import io.herald.testing.FaultyProxy;
import io.herald.testing.IngestTestClient;
import io.herald.testing.SseTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Herald behind a network that fails: every stream goes through a {@link FaultyProxy} that adds
 * latency, cuts connections in the middle of an event, or goes silent without closing.
 */
class FaultInjectionTest extends HeraldTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /**
   * A subscriber that comes back after every cut the way a browser's EventSource does: a new
   * request with the last id it saw as {@code Last-Event-ID}. A partial event at a cut is
   * discarded (the parser only dispatches complete events), as a browser does.
   */
  private static final class ResumingClient {
    private final int port;
    private final List<String> received = new ArrayList<>();
    private SseTestClient current;
    private int reconnects;

    ResumingClient(int port) throws Exception {
      this.port = port;
      connect(Map.of());
    }

    private void connect(Map<String, String> headers) throws Exception {
      current = SseTestClient.open(port, "/events?topic=faults", headers);
      assertEquals(200, current.status());
      current.awaitComment(c -> c.contains("herald"), WAIT);
    }

    /** Waits for the cut, keeps what arrived, and reconnects from the last id seen. */
    void resumeAfterCut() throws Exception {
      current.awaitClosed(WAIT);
      for (SseTestClient.Event event : current.eventsSoFar()) {
        received.add(event.id());
      }
      current.close();
      reconnects++;
      connect(Map.of("Last-Event-ID", received.get(received.size() - 1)));
    }

    int total() {
      return received.size() + current.eventsSoFar().size();
    }

    List<String> all() {
      List<String> ids = new ArrayList<>(received);
      current.eventsSoFar().forEach(e -> ids.add(e.id()));
      return ids;
    }
  }

  @Test
  void streamsCutMidEventResumeWithEveryAcknowledgedEventExactlyOnceInOrder() throws Exception {
    start();
    int clients = 4;
    int cuts = 5;
    int events = 6000;
    String payload = "\"" + "f".repeat(180) + "\"";
    Random random = new Random(42);
    try (FaultyProxy proxy = FaultyProxy.to(herald.httpPort()).latency(Duration.ofMillis(1));
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      List<ResumingClient> subscribers = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        subscribers.add(new ResumingClient(proxy.port()));
      }
      List<String> acked = new CopyOnWriteArrayList<>();
      AtomicBoolean failed = new AtomicBoolean();
      CompletableFuture<Void> publishing =
          CompletableFuture.runAsync(
              () -> {
                try {
                  for (int i = 0; i < events && !failed.get(); i++) {
                    acked.add(ingest.publish("faults", payload));
                  }
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      try {
        for (int cut = 1; cut <= cuts; cut++) {
          int mark = events * cut / (cuts + 1);
          Conditions.await(() -> acked.size() >= mark, WAIT, mark + " events acknowledged");
          for (ResumingClient client : subscribers) {
            int seen = client.total();
            Conditions.await(() -> client.total() > seen, WAIT, "an event on the current stream");
          }
          // 1..400 bytes on: inside an event (each is ~230 bytes on the wire) almost every time
          proxy.cutEveryConnectionAfter(1 + random.nextInt(400));
          for (ResumingClient client : subscribers) {
            client.resumeAfterCut();
          }
        }
        publishing.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      } finally {
        failed.set(true);
      }
      assertEquals(events, acked.size());
      for (ResumingClient client : subscribers) {
        Conditions.await(
            () -> client.total() >= events, WAIT, "every acknowledged event on each client");
        assertEquals(cuts, client.reconnects);
        assertEquals(acked, client.all(), "ids received across " + cuts + " cuts");
        client.current.close();
      }
    }
  }

  @Test
  void halfOpenConnectionIsCutByTheStallTimeoutWhileOtherStreamsGoOn() throws Exception {
    Duration stall = Duration.ofMillis(500);
    start(b -> b.stallTimeout(stall).queueEvents(1_000_000).queueBytes(256L << 20));
    String payload = "\"" + "h".repeat(2000) + "\"";
    try (FaultyProxy proxy = FaultyProxy.to(herald.httpPort());
        SseTestClient healthy = SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of());
        SseTestClient victim = SseTestClient.open(proxy.port(), "/events?topic=t", Map.of());
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      healthy.awaitComment(c -> c.contains("herald"), WAIT);
      victim.awaitComment(c -> c.contains("herald"), WAIT);
      String first = ingest.publish("t", payload);
      assertEquals(first, victim.awaitEvent(WAIT).id());
      assertEquals(first, healthy.awaitEvent(WAIT).id());

      FaultyProxy.Link link = proxy.openLinks().get(0);
      link.halfOpen();
      // Publish until Herald gives up on the silent connection: its socket fills (a few MB),
      // stays unwritable, and the sweep cuts it after the stall timeout.
      long silentSince = System.nanoTime();
      long published = 1;
      while (herald.server().stats().disconnects(DisconnectReason.STALLED) == 0) {
        ingest.publish("t", payload);
        published++;
        healthy.awaitEvent(WAIT);
        assertTrue(
            System.nanoTime() - silentSince < WAIT.toNanos(),
            "the half-open connection was not cut within " + WAIT);
      }
      long detectedMillis = (System.nanoTime() - silentSince) / 1_000_000;
      assertTrue(link.awaitUpstreamClosed(WAIT), "Herald closed the half-open connection");
      assertEquals(1, herald.server().stats().streams(), "only the healthy stream is left");
      String after = ingest.publish("t", "\"after\"");
      assertEquals(after, healthy.awaitEvent(WAIT).id());
      System.out.printf(
          "half-open connection cut after %d ms of silence (%d events of 2 KB, stall timeout %s)%n",
          detectedMillis, published, stall);
    }
  }
}
