package io.herald.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Lets each event loop start reading at most {@link #PER_TURN} new connections per turn of the
 * loop, so that a reconnect storm — ten thousand clients back at once, each asking for a replay —
 * is taken in a few dozen short turns with live deliveries in between, instead of in one pass over
 * ten thousand requests that holds every live stream on the loop for a quarter of a second.
 *
 * <p>A new connection starts with auto-read off (the initializer turns it off before the
 * connection is active); this handler fires {@link #ADMITTED} through its pipeline and turns
 * reading on when the loop admits it. When nothing waits,
 * admission is immediate: an ordinary connection loses nothing. A connection that closes while it
 * waits is skipped. The wait counts against {@code --header-timeout}, which reads a waiting head
 * before it closes.
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

  private final FastThreadLocal<Line> lines =
      new FastThreadLocal<>() {
        @Override
        protected Line initialValue() {
          return new Line();
        }
      };

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
   * The connections of one event loop waiting to be read, and what this turn admitted. Touched
   * only on its loop.
   */
  static final class Line {
    private final ArrayDeque<Channel> waiting = new ArrayDeque<>();
    private int admittedThisTurn;
    private boolean turnScheduled;
    /** Runs the next turn after the loop's next pass over its sockets; set on first use. */
    private Consumer<Runnable> scheduler;
    private final Runnable nextTurn = this::nextTurn;

    Line() {}

    /** For tests: {@code scheduler} decides when the next turn runs. */
    Line(Consumer<Runnable> scheduler) {
      this.scheduler = scheduler;
    }

    void admit(Channel channel) {
      if (scheduler == null) {
        EventLoop loop = channel.eventLoop();
        // Scheduled, not executed: it runs after the loop's next pass over its sockets.
        scheduler = task -> loop.schedule(task, 0, TimeUnit.NANOSECONDS);
      }
      if (waiting.isEmpty() && admittedThisTurn < PER_TURN) {
        open(channel);
      } else {
        waiting.add(channel);
      }
      scheduleTurn();
    }

    private void open(Channel channel) {
      if (channel.isActive()) {
        admittedThisTurn++;
        channel.pipeline().fireUserEventTriggered(ADMITTED);
        channel.config().setAutoRead(true); // reads at once what is there
      }
    }

    private void scheduleTurn() {
      if (!turnScheduled) {
        turnScheduled = true;
        scheduler.accept(nextTurn);
      }
    }

    private void nextTurn() {
      turnScheduled = false;
      admittedThisTurn = 0;
      Channel channel;
      while (admittedThisTurn < PER_TURN && (channel = waiting.poll()) != null) {
        open(channel);
      }
      if (!waiting.isEmpty() || admittedThisTurn > 0) {
        scheduleTurn();
      }
    }
  }
}
