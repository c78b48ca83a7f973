package io.herald.fanout;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Things one event loop starts at a {@link Pace} and at most {@code perTurn} per turn of the
 * loop, in arrival order: new connections ({@code AdmissionGate}), resumed streams ({@link
 * ResumeLine}). One that can go at once goes at once; the rest wait for a turn scheduled for when
 * the allowance is back. Touched only on its loop.
 *
 * @param <T> what waits
 */
public final class PacedLine<T> {
  /** Runs a task on the line's loop after a delay (0: after the loop's next pass over its sockets). */
  public interface Scheduler {
    void schedule(Runnable task, long delayNanos);

    /** Scheduled, not executed: even at no delay a turn runs after the loop's next I/O pass. */
    static Scheduler of(EventLoop loop) {
      return (task, delayNanos) -> loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }
  }

  private final ArrayDeque<T> waiting = new ArrayDeque<>();
  private final Pace pace;
  private final int perTurn;
  private final Predicate<T> start;
  private final Scheduler scheduler;
  private final LongSupplier clock;
  private final Runnable nextTurn = this::nextTurn;
  private int startedThisTurn;
  private boolean turnScheduled;

  /**
   * @param pace the rate, kept per loop
   * @param perTurn at most this many a turn ({@link Integer#MAX_VALUE}: only the pace limits)
   * @param start starts one; false when it was gone by its turn (it then takes nothing)
   */
  public PacedLine(
      Pace pace, int perTurn, Predicate<T> start, Scheduler scheduler, LongSupplier clock) {
    this.pace = pace;
    this.perTurn = perTurn;
    this.start = start;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  /** Starts {@code item} now if nobody waits and the pace and the turn allow, else in its turn. */
  public void add(T item) {
    long now = clock.getAsLong();
    if (waiting.isEmpty() && startedThisTurn < perTurn && pace.waitNanos(now) == 0) {
      start(item, now);
    } else {
      waiting.add(item);
    }
    if (!waiting.isEmpty() || perTurn != Integer.MAX_VALUE) {
      // The next turn: at once if the allowance is there (it resets this turn's count), else
      // when it is back (nothing could start before).
      scheduleTurn(pace.waitNanos(clock.getAsLong()));
    }
  }

  /** How many wait for their turn. */
  public int waiting() {
    return waiting.size();
  }

  private void start(T item, long now) {
    if (start.test(item)) {
      startedThisTurn++;
      pace.take(now);
    }
  }

  private void scheduleTurn(long delayNanos) {
    if (!turnScheduled) {
      turnScheduled = true;
      scheduler.schedule(nextTurn, delayNanos);
    }
  }

  private void nextTurn() {
    turnScheduled = false;
    startedThisTurn = 0;
    long wait = 0;
    T item;
    while (startedThisTurn < perTurn
        && (item = waiting.peek()) != null
        && (wait = pace.waitNanos(clock.getAsLong())) == 0) {
      waiting.poll();
      start(item, clock.getAsLong());
    }
    if (!waiting.isEmpty()) {
      scheduleTurn(wait);
    } else if (startedThisTurn > 0 && perTurn != Integer.MAX_VALUE) {
      scheduleTurn(0); // a turn with nobody waiting resets the count, then the line goes quiet
    }
  }
}
