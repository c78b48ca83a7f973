package io.herald.load.client;

import java.util.BitSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Reconnects a share of the open streams every second, as real audiences do (tabs closed and
 * reopened, phones changing networks): each chosen stream closes and reconnects with {@code
 * Last-Event-ID}, so the server must replay what it missed, and the stream's {@code
 * SequenceCheck} sees any gap or duplicate the resume leaves. Driven by one thread (the run's
 * main thread); the reconnects themselves happen on each stream's event loop.
 */
public final class Churn {
  private final AtomicReferenceArray<StreamCheck> checks;
  private final Streams streams;
  private final double sharePerSecond;
  /** Reconnects owed but not yet started: fractions carry over to the next tick. */
  private double owed;

  /** @param percentPerSecond share of the open streams to reconnect each second, 0 to 100 */
  public Churn(AtomicReferenceArray<StreamCheck> checks, Streams streams, double percentPerSecond) {
    if (percentPerSecond < 0 || percentPerSecond > 100) {
      throw new IllegalArgumentException("percentPerSecond: " + percentPerSecond + " (expected 0 to 100)");
    }
    this.checks = checks;
    this.streams = streams;
    this.sharePerSecond = percentPerSecond / 100;
  }

  /**
   * Starts the reconnects due for {@code elapsedSeconds} since the last tick, on streams drawn
   * at random (each at most once per tick). Returns how many were asked to reconnect; a stream
   * that is not open or has no event id yet ignores the request.
   */
  public int tick(double elapsedSeconds) {
    int n = checks.length();
    owed += streams.open() * sharePerSecond * elapsedSeconds;
    int count = (int) Math.min(n, Math.floor(owed));
    owed -= count;
    BitSet chosen = new BitSet(n);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int asked = 0; asked < count; ) {
      int i = random.nextInt(n);
      if (!chosen.get(i)) {
        chosen.set(i);
        StreamCheck check = checks.get(i);
        if (check != null) {
          check.churn();
        }
        asked++;
      }
    }
    return count;
  }
}
