package io.herald.http;

import io.herald.fanout.LoopDispatcher;
import io.herald.sse.Subscriber;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Takes the router's place once a connection carries an event stream: tells the subscriber when
 * the connection closes (so everything it held is freed at once) and when it can take more
 * (to continue a replay), and discards any further requests, which a streaming connection cannot
 * answer. One per stream.
 */
final class EventStreamHandler extends ChannelInboundHandlerAdapter {
  static final String NAME = "event-stream";

  private final LoopDispatcher dispatcher;
  private final Subscriber subscriber;

  EventStreamHandler(LoopDispatcher dispatcher, Subscriber subscriber) {
    this.dispatcher = dispatcher;
    this.subscriber = subscriber;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      dispatcher.writable(subscriber);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    subscriber.connectionClosed();
    ctx.fireChannelInactive();
    dispatcher.nudge(); // ten thousand closing at once: live events go out in between
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Resets and broken pipes are how clients leave; the close is the whole handling.
    ctx.close();
  }
}
