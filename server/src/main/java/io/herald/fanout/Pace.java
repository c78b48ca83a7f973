package io.herald.fanout;

import io.netty.util.internal.ObjectUtil;
import java.util.concurrent.TimeUnit;

/**
 * A rate with a burst, kept as the generic cell rate algorithm keeps it: one number, the time
 * at which the allowance would be whole again. A thing may go while that is at most {@code
 * burst - 1} intervals ahead of now, and each that goes moves it one interval on. One per event
 * loop, touched only on it: no locking, no allocation.
 */
public final class Pace {
  private final long intervalNanos;
  /** How far ahead of now {@link #due} may be for one more to go. */
  private final long toleranceNanos;
  private long due;
  private boolean started;

  /**
   * @param intervalNanos the time one thing takes from the allowance; 0: no limit
   * @param burst how many may go at once after a quiet spell
   */
  public Pace(long intervalNanos, int burst) {
    this.intervalNanos = ObjectUtil.checkPositiveOrZero(intervalNanos, "intervalNanos");
    this.toleranceNanos = (ObjectUtil.checkPositive(burst, "burst") - 1) * intervalNanos;
  }

  /**
   * The interval for {@code rate} a second over the whole server when each of {@code loops}
   * event loops keeps its own pace; rate 0: no limit.
   */
  public static long intervalNanos(int rate, int loops) {
    ObjectUtil.checkPositiveOrZero(rate, "rate");
    ObjectUtil.checkPositive(loops, "loops");
    return rate == 0 ? 0 : Math.max(1, TimeUnit.SECONDS.toNanos(loops) / rate);
  }

  public boolean isLimited() {
    return intervalNanos != 0;
  }

  /** How long from {@code now} until one more may go: 0 if it may go now. */
  public long waitNanos(long now) {
    if (intervalNanos == 0) {
      return 0;
    }
    if (!started) {
      started = true;
      due = now;
    }
    return Math.max(0, due - toleranceNanos - now);
  }

  /** One goes at {@code now} (after {@link #waitNanos} said it may). */
  public void take(long now) {
    if (intervalNanos != 0) {
      due = Math.max(due, now) + intervalNanos;
    }
  }
}
