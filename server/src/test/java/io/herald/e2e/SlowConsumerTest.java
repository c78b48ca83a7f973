package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.sse.DisconnectReason;
import io.herald.testing.IngestTestClient;
import io.herald.testing.SseTestClient;
import io.herald.testing.TestHerald;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlowConsumerTest extends HeraldTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void stalledReaderIsCutOffWhileOtherStreamsReceiveEverything() throws Exception {
    start(b -> b.queueEvents(256).queueBytes(64 * 1024));
    String payload = "\"" + "x".repeat(4000) + "\"";
    // ~16 MB: far beyond what the kernel buffers for the stalled client (a few MB) and its queue
    int events = 4000;
    try (SseTestClient healthy =
            SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of());
        SseTestClient stalled = SseTestClient.openStalled(herald.httpPort(), "/events?topic=t");
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      healthy.awaitComment(c -> c.contains("herald"), WAIT);
      awaitStreams(2);
      // Publish in rounds smaller than a queue (10 x 4 KB < 64 KiB), each read by the healthy
      // client before the next: only the stalled one can fall behind.
      StringBuilder round = new StringBuilder();
      for (int i = 0; i < 10; i++) {
        round.append("{\"topic\":\"t\",\"data\":").append(payload).append("}\n");
      }
      int received = 0;
      for (int sent = 0; sent < events; sent += 10) {
        ingest.pipeline(round.toString(), 10);
        received += healthy.awaitEvents(10, WAIT).size();
      }
      assertEquals(events, received);
      assertEquals(1, herald.server().stats().disconnects(DisconnectReason.SLOW_CONSUMER));
      stalled.awaitServerClose(WAIT);
      assertEquals(1, herald.server().stats().streams());
    }
  }

  @Test
  void connectionThatStaysUnwritableIsCutAfterTheStallTimeout() throws Exception {
    // A queue too large to overflow: only the stall timeout can end this stream.
    herald =
        TestHerald.start(
            b -> b.queueEvents(1_000_000).queueBytes(256L << 20).stallTimeout(Duration.ofMillis(300)));
    try (SseTestClient stalled = SseTestClient.openStalled(herald.httpPort(), "/events?topic=t");
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      awaitStreams(1);
      String payload = "\"" + "y".repeat(4000) + "\"";
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < 2000; i++) {
        lines.append("{\"topic\":\"t\",\"data\":").append(payload).append("}\n");
      }
      ingest.pipeline(lines.toString(), 2000);
      Conditions.await(
          () -> herald.server().stats().disconnects(DisconnectReason.STALLED) == 1,
          WAIT,
          "the stalled connection to be cut off");
      stalled.awaitServerClose(WAIT);
    }
  }

  private void awaitStreams(long n) throws InterruptedException {
    Conditions.await(() -> herald.server().stats().streams() == n, WAIT, "streams == " + n);
  }
}
