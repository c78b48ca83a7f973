package io.herald.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class CoalescedFlushTest {
  @Test
  void manyRequestsInOneTurnBecomeOneFlushAfterIt() {
    FlushCounter counter = new FlushCounter();
    EmbeddedChannel channel = new EmbeddedChannel(counter);
    CoalescedFlush flush = new CoalescedFlush(channel);

    for (int stream = 0; stream < 1000; stream++) {
      flush.request();
    }
    assertEquals(0, counter.flushes, "nothing flushed during the batch");
    channel.runPendingTasks();
    assertEquals(1, counter.flushes);

    flush.request(); // the next batch gets its own flush
    channel.runPendingTasks();
    assertEquals(2, counter.flushes);
    channel.finishAndReleaseAll();
  }
}
