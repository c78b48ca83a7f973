package io.herald.http;

import io.herald.metrics.HeraldStats;
import io.herald.sse.DisconnectReason;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1.1 connection that has not sent a complete request head within {@code
 * --header-timeout}: this stops Slowloris, where a client holds a connection (and a place
 * against {@code --max-connections}) forever by sending its request line and headers a byte at
 * a time, or not at all. The clock starts when the connection is set up (so it covers the TLS
 * handshake too) and again when an answer is complete and the connection waits for its next
 * request (so an idle keep-alive connection is closed after the same time); it stops when the
 * codec has decoded a request head. A head that came in time but was not read yet (the event
 * loop was busy) is read first: the close waits for the loop's next pass over its sockets. An
 * event stream never finishes its answer, so it is never timed out here. HTTP/2 connections
 * remove this handler; Http2EventsHandler has the same deadline for a connection without a
 * stream. Each close counts as a {@code header-timeout} disconnect.
 *
 * <p>Sits right after the HTTP/1.1 codec (before the aggregator), where requests arrive as heads
 * and answers leave as HTTP objects; one per connection.
 */
final class HeaderTimeout extends ChannelDuplexHandler {
  static final String NAME = "header-timeout";

  /** {@link #waitingSince} while a request is being answered: no clock runs. */
  private static final long NOT_WAITING = Long.MIN_VALUE;

  private final long timeoutNanos;
  private final HeraldStats stats;
  /** The one pending check of this connection's clock, or null. */
  private ScheduledFuture<?> deadline;
  /** When the connection started waiting for a request head (the executor's ticker). */
  private long waitingSince = NOT_WAITING;
  /** Requests whose head arrived and whose answer is not complete yet (pipelining). */
  private int unanswered;

  /** @param stats counts each close as {@link DisconnectReason#HEADER_TIMEOUT}; null: not counted */
  HeaderTimeout(long timeoutNanos, HeraldStats stats) {
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("timeoutNanos: " + timeoutNanos + " (expected: > 0)");
    }
    this.timeoutNanos = timeoutNanos;
    this.stats = stats;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    startWaiting(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      unanswered++;
      // The clock stops; a pending check finds that and ends (no cancel and re-schedule per
      // request on a keep-alive connection, which a publisher's every POST would pay).
      waitingSince = NOT_WAITING;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean complete =
        msg instanceof LastHttpContent
            && !(msg instanceof FullHttpResponse response
                && response.status().equals(HttpResponseStatus.CONTINUE));
    ctx.write(msg, promise);
    if (complete && unanswered > 0 && --unanswered == 0) {
      startWaiting(ctx); // waiting for the next request head
    }
  }

  /** Starts the clock; a check is scheduled unless one is pending already (it re-checks). */
  private void startWaiting(ChannelHandlerContext ctx) {
    waitingSince = ctx.executor().ticker().nanoTime();
    if (deadline == null) {
      deadline = ctx.executor().schedule(() -> check(ctx, false), timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * A pending check is due: nothing to do if a request is being answered (the clock restarts
   * with its answer), a new check for the rest of the time if the clock restarted meanwhile.
   * Once the time is really up, the request head may be in the socket already, unread only
   * because this event loop was busy (a reconnect storm: thousands of requests, each starting a
   * replay). Closing now would reset a client that was on time, and send it back into the storm.
   * So the close waits for the loop's next pass over its sockets: a task scheduled from a task
   * runs in the next round of tasks, after the loop's I/O (Netty's SingleThreadIoEventLoop takes
   * the scheduled tasks that are due once per round), and a head read there stops the clock.
   */
  private void check(ChannelHandlerContext ctx, boolean lookedOnceMore) {
    deadline = null;
    if (waitingSince == NOT_WAITING) {
      return;
    }
    long left = waitingSince + timeoutNanos - ctx.executor().ticker().nanoTime();
    if (left > 0) {
      deadline = ctx.executor().schedule(() -> check(ctx, false), left, TimeUnit.NANOSECONDS);
    } else if (!lookedOnceMore) {
      deadline = ctx.executor().schedule(() -> check(ctx, true), 0, TimeUnit.NANOSECONDS);
    } else {
      if (stats != null && ctx.channel().isOpen()) {
        stats.disconnected(DisconnectReason.HEADER_TIMEOUT);
      }
      ctx.channel().close();
    }
  }

  private void cancel() {
    waitingSince = NOT_WAITING;
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}
