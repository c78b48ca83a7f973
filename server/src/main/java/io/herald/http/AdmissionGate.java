package io.herald.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.herald.fanout.Pace;
import io.netty.util.internal.ObjectUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Paces the new connections each event loop starts reading: at most {@link #PER_TURN} per turn
 * of the loop, and at most {@code --admission-rate} a second over the server (a burst of {@link
 * #BURST} per loop at once). A reconnect storm — ten thousand clients back at once, each asking
 * for a replay — is thus taken over a second or two, in small turns with live deliveries in
 * between, instead of in one pass over ten thousand requests and their replays that holds every
 * live stream on the loop and, on a machine shared with the clients, the cores the clients
 * themselves need to read what is already live.
 *
 * <p>A new connection starts with auto-read off (the initializer turns it off before the
 * connection is active); this handler fires {@link #ADMITTED} through its pipeline and turns
 * reading on when the loop admits it. When nothing waits and the rate allows, admission is
 * immediate: an ordinary connection loses nothing. Connections are admitted in arrival order; one
 * that closes while it waits is skipped. The wait counts against {@code --header-timeout}, which
 * closes a connection whose turn has not come by then (its request is still unread): a burst of
 * more than the rate times the header timeout (100,000 connections at the defaults) is more than
 * one server should take at once, and the rest come back later.
 *
 * <p>One instance per listener, shared by its connections; the waiting line is per event loop
 * and touched only on it.
 */
@Sharable
final class AdmissionGate extends ChannelInboundHandlerAdapter {
  static final String NAME = "admission";

  /**
   * New connections a loop starts reading per turn: each costs a request decode, the response
   * head and the start of a replay (tens of microseconds), so a turn's admissions stay within a
   * couple of milliseconds, about one slice of live delivery.
   */
  static final int PER_TURN = 64;

  /** Connections a loop admits at once, however fast, after a quiet spell: one turn's worth. */
  static final int BURST = PER_TURN;

  /**
   * Fired through a connection's pipeline when its loop admits it, just before reading starts:
   * what the connection needs only once it is read (the HTTP/1.1 handlers) is built then, so a
   * connection waiting in line holds little (see {@code HttpServerInitializer}).
   */
  static final Object ADMITTED = new Object() {
    @Override
    public String toString() {
      return "AdmissionGate.ADMITTED";
    }
  };

  private final long intervalNanos;
  private final FastThreadLocal<Line> lines =
      new FastThreadLocal<>() {
        @Override
        protected Line initialValue() {
          return new Line(intervalNanos);
        }
      };

  /** Not paced by time: only {@link #PER_TURN} a turn. */
  AdmissionGate() {
    this(0);
  }

  /**
   * @param intervalNanos the time one admission takes from a loop's allowance: the number of
   *     event loops over {@code --admission-rate} (a second's nanos); 0 for no pacing by time
   */
  AdmissionGate(long intervalNanos) {
    this.intervalNanos = ObjectUtil.checkPositiveOrZero(intervalNanos, "intervalNanos");
  }

  /**
   * The {@code intervalNanos} for {@code rate} new connections a second over {@code loops}
   * event loops; rate 0: no pacing by time.
   */
  static long intervalNanos(int rate, int loops) {
    return Pace.intervalNanos(rate, loops);
  }

  /** Call from the initializer, before the connection is active. */
  static void holdReads(Channel channel) {
    channel.config().setAutoRead(false);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.fireChannelActive();
    lines.get().admit(ctx.channel());
  }

  /** Runs a task on the line's loop after a delay (0: after the loop's next pass over its sockets). */
  interface Scheduler {
    void schedule(Runnable task, long delayNanos);
  }

  /**
   * The connections of one event loop waiting to be read, and what this turn admitted. Touched
   * only on its loop.
   */
  static final class Line {
    private final ArrayDeque<Channel> waiting = new ArrayDeque<>();
    private final Pace pace;
    private int admittedThisTurn;
    private boolean turnScheduled;
    /** Set on first use, from the first connection's loop, unless a test set them. */
    private Scheduler scheduler;
    private LongSupplier clock;
    private final Runnable nextTurn = this::nextTurn;

    Line(long intervalNanos) {
      this.pace = new Pace(intervalNanos, BURST);
    }

    /** For tests: {@code scheduler} decides when the next turn runs, {@code clock} what time it is. */
    Line(long intervalNanos, Scheduler scheduler, LongSupplier clock) {
      this(intervalNanos);
      this.scheduler = scheduler;
      this.clock = clock;
    }

    void admit(Channel channel) {
      if (scheduler == null) {
        EventLoop loop = channel.eventLoop();
        // Scheduled, not executed: even at no delay it runs after the loop's next pass over its
        // sockets.
        scheduler = (task, delayNanos) -> loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        clock = loop.ticker()::nanoTime;
      }
      if (waiting.isEmpty() && admittedThisTurn < PER_TURN && waitNanos(clock.getAsLong()) == 0) {
        open(channel);
      } else {
        waiting.add(channel);
      }
      // The next turn: at once if the allowance is there (it resets this turn's count), else
      // when it is back (nothing could be admitted before).
      scheduleTurn(waitNanos(clock.getAsLong()));
    }

    /** How long until one more connection may be admitted: 0 if now. */
    private long waitNanos(long now) {
      return pace.waitNanos(now);
    }

    private void open(Channel channel) {
      if (channel.isActive()) {
        admittedThisTurn++;
        pace.take(clock.getAsLong());
        channel.pipeline().fireUserEventTriggered(ADMITTED);
        channel.config().setAutoRead(true); // reads at once what is there
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
      admittedThisTurn = 0;
      long wait = 0;
      Channel channel;
      while (admittedThisTurn < PER_TURN
          && (channel = waiting.peek()) != null
          && (wait = waitNanos(clock.getAsLong())) == 0) {
        waiting.poll();
        open(channel);
      }
      if (!waiting.isEmpty()) {
        scheduleTurn(wait);
      } else if (admittedThisTurn > 0) {
        scheduleTurn(0); // a turn with nobody waiting resets the count, then the line goes quiet
      }
    }
  }
}
