package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.config.HeraldConfig;
import io.herald.sse.DisconnectReason;
import io.herald.testing.IngestTestClient;
import io.herald.testing.KernelSockets;
import io.herald.testing.SseTestClient;
import io.herald.testing.TestHerald;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assumptions;
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

  /**
   * A reader that stops and later catches up. While it stops, the kernel's buffers fill part-way
   * through an event: Herald hands each event straight to the socket while nothing is queued for
   * it (transport.DirectSend), and what the kernel does not take waits in the connection's queue.
   * Once it reads again it must get every event whole and in order.
   */
  @Test
  void readerThatStopsAndCatchesUpGetsEveryEventWholeAndInOrder() throws Exception {
    start(b -> b.queueEvents(100_000).queueBytes(256L << 20).stallTimeout(Duration.ofMinutes(5)));
    int events = 400; // ~1.6 MB: more than the kernel buffers for this reader
    try (SseTestClient reader = SseTestClient.openStalled(herald.httpPort(), "/events?topic=t");
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      awaitStreams(1);
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < events; i++) {
        lines.append("{\"topic\":\"t\",\"data\":\"").append(i).append(':').append("r".repeat(4000)).append("\"}\n");
      }
      ingest.pipeline(lines.toString(), events);
      Conditions.await(
          () -> herald.server().stats().delivered() == events, WAIT, "every event handed to the stream");
      List<SseTestClient.Event> received = reader.resume().awaitEvents(events, WAIT);
      for (int i = 0; i < events; i++) {
        String expected = i + ":" + "r".repeat(4000);
        assertTrue(expected.equals(received.get(i).data()), "event " + i + " arrived whole and in its place");
      }
      assertEquals(0, herald.server().stats().disconnects(DisconnectReason.SLOW_CONSUMER));
    }
  }

  /**
   * Slow read (slowhttptest -X): a client that reads a few bytes now and then must not make the
   * kernel buffer megabytes for it while Herald still sees a writable socket. Found by
   * scripts/abuse: without a cap, Linux autotuned each slow reader's send buffer to hold every
   * event published (527 KB after 20 s of a 27 KB/s broadcast, up to tcp_wmem's 4 MiB), so
   * neither the queue bound nor the stall timeout ever engaged. The size of Herald's side of
   * the socket's queue is read from /proc/net/tcp.
   */
  @Test
  void slowReaderCannotMakeTheKernelBufferMegabytesForIt() throws Exception {
    long queued = kernelQueueOfAReaderThatDoesNotRead(b -> b);
    assertTrue(queued <= 1 << 20, "the kernel holds " + queued + " bytes for a reader that does not read");
  }

  @Test
  void aSmallerSendBufferHoldsLessForAReaderThatDoesNotRead() throws Exception {
    long queued = kernelQueueOfAReaderThatDoesNotRead(b -> b.sendBuffer(16 * 1024));
    // 16 KiB asked, doubled by the kernel: a few tens of KiB, not the default's hundreds.
    assertTrue(queued <= 64 * 1024, "the kernel holds " + queued + " bytes for a reader that does not read");
  }

  /**
   * Publishes ~4 MB to one stream that never reads, with queue bounds too large to cut it, and
   * returns what the kernel then holds in that socket's send queue (from /proc/net/tcp).
   */
  private long kernelQueueOfAReaderThatDoesNotRead(
      UnaryOperator<HeraldConfig.Builder> settings) throws Exception {
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "needs Linux's /proc/net/tcp");
    herald =
        TestHerald.start(
            b -> settings.apply(
                b.queueEvents(1_000_000).queueBytes(256L << 20).stallTimeout(Duration.ofMinutes(5))));
    try (SseTestClient stalled = SseTestClient.openStalled(herald.httpPort(), "/events?topic=t");
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      awaitStreams(1);
      String payload = "\"" + "z".repeat(1000) + "\"";
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < 4000; i++) {
        lines.append("{\"topic\":\"t\",\"data\":").append(payload).append("}\n");
      }
      ingest.pipeline(lines.toString(), 4000); // ~4 MB
      Conditions.await(
          () -> herald.server().stats().delivered() >= 1, WAIT, "delivery started");
      KernelSockets.Entry socket = KernelSockets.find(herald.httpPort(), stalled.localPort());
      assertTrue(socket != null, "the stalled connection's socket is in /proc/net/tcp");
      long queued = socket.sendQueue();
      assertTrue(queued > 0, "the stalled connection's queue was found");
      return queued;
    }
  }

  private void awaitStreams(long n) throws InterruptedException {
    Conditions.await(() -> herald.server().stats().streams() == n, WAIT, "streams == " + n);
  }
}
