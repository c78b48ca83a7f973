package io.herald.load.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Streams#rampLateMicros}: how long after its slot the ramp's last stream was ready. */
class StreamsTest {
  @Test
  void noFigureBeforeTheRampEndedOrBeforeAnyStreamWasReady() {
    Streams streams = new Streams();
    assertEquals(-1, streams.rampLateMicros());
    streams.lastScheduledAt(System.nanoTime());
    assertEquals(-1, streams.rampLateMicros());
  }

  @Test
  void theLastReadyStreamAgainstTheLastSlotAndNeverBelowZero() {
    Streams streams = new Streams();
    long now = System.nanoTime();
    streams.lastScheduledAt(now - 5_000_000_000L); // due five seconds ago
    streams.ready(null, 1);
    assertTrue(streams.rampLateMicros() >= 5_000_000, String.valueOf(streams.rampLateMicros()));

    Streams early = new Streams();
    early.lastScheduledAt(now + 3_600_000_000_000L); // ready before its slot: 0, not negative
    early.ready(null, 1);
    assertEquals(0, early.rampLateMicros());
  }
}
