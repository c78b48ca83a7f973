package io.herald.fanout;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Starts the resumed subscriptions of one event loop (a {@code Last-Event-ID} was given) at a
 * set pace ({@code --resume-rate}), in arrival order; new subscriptions never wait here.
 *
 * <p>Why resumptions only: thousands of clients coming back at once with a {@code
 * Last-Event-ID} is what a reconnect storm is (a restart, a proxy's reload, a network blip), and
 * each of them brings a replay; started all at once, those replays and what the clients do with
 * them take both cores for a second while the streams that never left wait. New streams carry
 * no replay, and a crowd of new visitors should not wait behind a pace meant for a storm.
 *
 * <p>A waiting subscription has its response head written but not flushed, and is not yet
 * registered: it gets nothing, live or replayed, until its start, and then everything it
 * missed from the history, in order. One that closes while it waits is skipped. Touched only on
 * its loop.
 */
public final class ResumeLine {
  /** Resumptions a loop starts at once after a quiet spell. */
  public static final int BURST = 64;

  /** Runs a task on the line's loop after a delay. */
  public interface Scheduler {
    void schedule(Runnable task, long delayNanos);
  }

  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private final Pace pace;
  private final Scheduler scheduler;
  private final LongSupplier clock;
  private final Runnable nextTurn = this::nextTurn;
  private boolean turnScheduled;

  /** On {@code loop}, one resumption every {@code intervalNanos} (0: no pacing). */
  public ResumeLine(EventLoop loop, long intervalNanos) {
    this(
        intervalNanos,
        (task, delayNanos) -> loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS),
        loop.ticker()::nanoTime);
  }

  /** For tests: {@code scheduler} decides when the next turn runs, {@code clock} what time it is. */
  public ResumeLine(long intervalNanos, Scheduler scheduler, LongSupplier clock) {
    this.pace = new Pace(intervalNanos, BURST);
    this.scheduler = scheduler;
    this.clock = clock;
  }

  /** Runs {@code start} now if the pace allows and nobody waits, otherwise in its turn. */
  public void start(Runnable start) {
    long now = clock.getAsLong();
    if (waiting.isEmpty() && pace.waitNanos(now) == 0) {
      pace.take(now);
      start.run();
      return;
    }
    waiting.add(start);
    scheduleTurn(pace.waitNanos(now));
  }

  /** Resumptions waiting for their turn. */
  public int waiting() {
    return waiting.size();
  }

  private void scheduleTurn(long delayNanos) {
    if (!turnScheduled) {
      turnScheduled = true;
      scheduler.schedule(nextTurn, delayNanos);
    }
  }

  private void nextTurn() {
    turnScheduled = false;
    long wait = 0;
    Runnable start;
    while ((start = waiting.peek()) != null) {
      long now = clock.getAsLong();
      wait = pace.waitNanos(now);
      if (wait > 0) {
        break;
      }
      waiting.poll();
      pace.take(now);
      start.run();
    }
    if (!waiting.isEmpty()) {
      scheduleTurn(wait);
    }
  }
}
