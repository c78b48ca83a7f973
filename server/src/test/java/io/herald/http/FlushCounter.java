package io.herald.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;

/** Counts the flushes that reach the transport: put it below whatever it watches. */
final class FlushCounter extends ChannelOutboundHandlerAdapter {
  int flushes;

  @Override
  public void flush(ChannelHandlerContext ctx) {
    flushes++;
    ctx.flush();
  }
}
