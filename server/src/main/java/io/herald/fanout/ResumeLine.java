package io.herald.fanout;

import io.netty.channel.EventLoop;
import java.util.function.LongSupplier;

/**
 * Starts the resumed subscriptions of one event loop (a {@code Last-Event-ID} was given) at a
 * set pace ({@code --resume-rate}), in arrival order; new subscriptions never wait here.
 *
 * <p>Why resumptions only: thousands of clients coming back at once with a {@code
 * Last-Event-ID} is what a reconnect storm is (a restart, a proxy's reload, a network blip), and
 * each of them brings a replay; started all at once, long replays and what the clients do with
 * them can take the cores for a while the streams that never left wait. New streams carry no
 * replay, and a crowd of new visitors should not wait behind a pace meant for a storm.
 *
 * <p>A waiting subscription has its response head written but not flushed, and is not yet
 * registered: it gets nothing, live or replayed, until its start, and then everything it
 * missed from the history, in order. Its start is skipped if it ended while it waited (it then
 * takes nothing from the pace). Touched only on its loop.
 */
public final class ResumeLine {
  /** Resumptions a loop starts at once after a quiet spell. */
  public static final int BURST = 64;

  /** A resumption waiting to start: {@code start} runs it, unless {@code ended} says it is gone. */
  private record Resumption(Runnable start, java.util.function.BooleanSupplier ended) {}

  private final PacedLine<Resumption> line;

  /** On {@code loop}, one resumption every {@code intervalNanos} (0: no pacing). */
  public ResumeLine(EventLoop loop, long intervalNanos) {
    this(intervalNanos, PacedLine.Scheduler.of(loop), loop.ticker()::nanoTime);
  }

  /** For tests: {@code scheduler} decides when the next turn runs, {@code clock} what time it is. */
  public ResumeLine(long intervalNanos, PacedLine.Scheduler scheduler, LongSupplier clock) {
    this.line =
        new PacedLine<>(
            new Pace(intervalNanos, BURST),
            Integer.MAX_VALUE,
            r -> {
              if (r.ended().getAsBoolean()) {
                return false;
              }
              r.start().run();
              return true;
            },
            scheduler,
            clock);
  }

  /**
   * Runs {@code start} now if the pace allows and nobody waits, otherwise in its turn, unless
   * {@code ended} is true by then.
   */
  public void start(Runnable start, java.util.function.BooleanSupplier ended) {
    line.add(new Resumption(start, ended));
  }

  /** Resumptions waiting for their turn. */
  public int waiting() {
    return line.waiting();
  }
}
