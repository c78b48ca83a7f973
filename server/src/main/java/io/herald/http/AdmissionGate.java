package io.herald.http;

import io.herald.fanout.Pace;
import io.herald.fanout.PacedLine;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.ObjectUtil;
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

  /** Call from the initializer, before the connection is active. */
  static void holdReads(Channel channel) {
    channel.config().setAutoRead(false);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.fireChannelActive();
    lines.get().admit(ctx.channel());
  }

  /**
   * The connections of one event loop waiting to be read ({@link PacedLine}: {@link #PER_TURN} a
   * turn, the rate's {@link Pace}, arrival order; one that closed while it waited is skipped).
   * Touched only on its loop.
   */
  static final class Line {
    private final long intervalNanos;
    /** Made on first use, on the first connection's loop, unless a test made it. */
    private PacedLine<Channel> line;

    Line(long intervalNanos) {
      this.intervalNanos = intervalNanos;
    }

    /** For tests: {@code scheduler} decides when the next turn runs, {@code clock} what time it is. */
    Line(long intervalNanos, PacedLine.Scheduler scheduler, LongSupplier clock) {
      this(intervalNanos);
      this.line = paced(scheduler, clock);
    }

    private PacedLine<Channel> paced(PacedLine.Scheduler scheduler, LongSupplier clock) {
      return new PacedLine<>(new Pace(intervalNanos, BURST), PER_TURN, Line::open, scheduler, clock);
    }

    void admit(Channel channel) {
      if (line == null) {
        EventLoop loop = channel.eventLoop();
        line = paced(PacedLine.Scheduler.of(loop), loop.ticker()::nanoTime);
      }
      line.add(channel);
    }

    private static boolean open(Channel channel) {
      if (!channel.isActive()) {
        return false;
      }
      channel.pipeline().fireUserEventTriggered(ADMITTED);
      channel.config().setAutoRead(true); // reads at once what is there
      return true;
    }
  }
}
