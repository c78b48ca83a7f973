package io.herald.history;

import java.util.function.LongSupplier;

/**
 * Hands out strictly increasing {@link EventId}s from a wall clock. If the clock stands still or
 * steps back, ids keep increasing by counting on within the last millisecond used.
 *
 * <p>Not thread-safe: the single publishing path owns it.
 */
public final class EventIdGenerator {
  private final LongSupplier clock;
  private long lastMillis = -1;
  private long sequence;

  public EventIdGenerator(LongSupplier clockMillis) {
    this.clock = clockMillis;
  }

  public EventId next() {
    long now = clock.getAsLong();
    if (now > lastMillis) {
      lastMillis = now;
      sequence = 0;
    } else {
      sequence++;
    }
    return new EventId(lastMillis, sequence);
  }
}
