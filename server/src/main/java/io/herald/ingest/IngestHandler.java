package io.herald.ingest;

import io.herald.fanout.Broadcaster;
import io.herald.metrics.HeraldStats;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes what an ingest connection sends and answers every line, in order: {@code
 * {"id":"…"}} once the event is in the history, or {@code {"error":"…","line":n}}.
 *
 * <p>Lines decoded in one read are published as one batch (one trip through the publishing
 * lock) and answered with one write and one flush. Backpressure instead of loss: when the
 * publisher does not read its replies (this channel turns unwritable) or Herald's event loops
 * fall behind ({@link Broadcaster#isCongested()}), the handler stops reading the socket, so TCP
 * pushes back on the publisher; it never drops an event it acknowledged.
 *
 * <p>When the {@link Publisher} answers later (cluster mode: Redis must store the batch first),
 * the connection stops reading until the batch is answered, so one batch per connection is in
 * flight: its replies go out in line order and its events stay in order behind the previous
 * batch's, and nothing is acknowledged before it is stored.
 *
 * <p>Last in the ingest pipeline; one per connection.
 */
public final class IngestHandler extends ChannelInboundHandlerAdapter {
  private final Broadcaster broadcaster;
  private final Publisher publisher;
  private final HeraldStats stats;
  private final List<Pending> pending = new ArrayList<>();
  private boolean waitingForLoops;
  private boolean inFlight; // a batch is with the publisher; reading is paused until it answers
  private boolean inputShutdown; // the publisher sent its last line: close once all is answered

  /** A line waiting for its reply: a request to publish, or the reason it was refused. */
  private record Pending(long line, PublishRequest request, String error) {}

  public IngestHandler(Broadcaster broadcaster, HeraldStats stats) {
    this(broadcaster, Publisher.local(broadcaster), stats);
  }

  public IngestHandler(Broadcaster broadcaster, Publisher publisher, HeraldStats stats) {
    this.broadcaster = broadcaster;
    this.publisher = publisher;
    this.stats = stats;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    stats.ingestConnectionOpened();
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stats.ingestConnectionClosed();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof IngestLine line)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (line.problem() != null) {
      pending.add(new Pending(line.number(), null, line.problem()));
      return;
    }
    try {
      pending.add(new Pending(line.number(), EventJsonParser.parseLine(line.text()), null));
    } catch (BadEventException bad) {
      pending.add(new Pending(line.number(), null, bad.getMessage()));
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!pending.isEmpty() && !inFlight) {
      answer(ctx);
    }
    if (!ctx.channel().isWritable() || broadcaster.isCongested()) {
      pause(ctx);
    }
    ctx.fireChannelReadComplete();
  }

  private void answer(ChannelHandlerContext ctx) {
    List<Pending> lines = new ArrayList<>(pending);
    pending.clear();
    List<PublishRequest> batch = new ArrayList<>(lines.size());
    for (Pending p : lines) {
      if (p.request() != null) {
        batch.add(p.request());
      }
    }
    if (batch.isEmpty()) {
      reply(ctx, lines, List.of(), null);
      return;
    }
    CompletableFuture<List<String>> stored = publisher.publish(batch);
    if (stored.isDone()) {
      reply(ctx, lines, stored);
      return;
    }
    inFlight = true;
    ctx.channel().config().setAutoRead(false);
    stored.whenComplete(
        (ids, failure) ->
            ctx.executor()
                .execute(
                    () -> {
                      inFlight = false;
                      reply(ctx, lines, stored);
                      if (!pending.isEmpty()) {
                        answer(ctx);
                      } else if (inputShutdown) {
                        closeWhenWritten(ctx);
                      } else {
                        resumeIfReady(ctx.channel());
                      }
                    }));
  }

  private void reply(ChannelHandlerContext ctx, List<Pending> lines, CompletableFuture<List<String>> stored) {
    try {
      reply(ctx, lines, stored.join(), null);
    } catch (RuntimeException failed) {
      reply(ctx, lines, List.of(), Publisher.reason(failed));
    }
  }

  private void reply(ChannelHandlerContext ctx, List<Pending> lines, List<String> ids, String refusedAll) {
    StringBuilder replies = new StringBuilder(lines.size() * 32);
    int next = 0;
    for (Pending p : lines) {
      String error = p.request() == null ? p.error() : refusedAll;
      if (error == null) {
        replies.append("{\"id\":\"").append(ids.get(next++)).append("\"}\n");
      } else {
        stats.ingestError();
        replies
            .append("{\"error\":")
            .append(JsonText.quote(error))
            .append(",\"line\":")
            .append(p.line())
            .append("}\n");
      }
    }
    ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), replies));
  }

  /** Stops reading until the publisher reads its replies and the loops have caught up. */
  private void pause(ChannelHandlerContext ctx) {
    Channel channel = ctx.channel();
    if (channel.config().isAutoRead()) {
      stats.ingestPaused();
      channel.config().setAutoRead(false);
    }
    if (broadcaster.isCongested() && !waitingForLoops) {
      waitingForLoops = true;
      broadcaster.whenDecongested(
          () ->
              channel
                  .eventLoop()
                  .execute(
                      () -> {
                        waitingForLoops = false;
                        resumeIfReady(channel);
                      }));
    }
  }

  private void resumeIfReady(Channel channel) {
    if (channel.isActive() && channel.isWritable() && !waitingForLoops && !inFlight) {
      if (broadcaster.isCongested()) {
        pause(channel.pipeline().context(this));
      } else {
        channel.config().setAutoRead(true);
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    resumeIfReady(ctx.channel());
    ctx.fireChannelWritabilityChanged();
  }

  /** The publisher sent its last line: answer what is pending, then close once all is written. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      inputShutdown = true;
      if (!pending.isEmpty() && !inFlight) {
        answer(ctx);
      }
      if (!inFlight) {
        closeWhenWritten(ctx);
      }
    }
    ctx.fireUserEventTriggered(evt);
  }

  /**
   * Herald is stopping: read nothing more, and close once every line read so far is answered —
   * at once, or when a batch still with the publisher (cluster mode: Redis) comes back. Call on
   * the channel's event loop.
   */
  public void finish(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(false);
    inputShutdown = true;
    if (!pending.isEmpty() && !inFlight) {
      answer(ctx);
    }
    if (!inFlight) {
      closeWhenWritten(ctx);
    }
  }

  private static void closeWhenWritten(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
