package io.herald.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.ServerChannel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * An {@link EmbeddedChannel} that plays the socket: everything flushed goes through the channel's
 * real outbound buffer, is counted, and released instead of queued — so a benchmark pays what a
 * connection pays up to the syscall, and its memory stays flat however long it runs.
 */
final class DiscardingChannel extends EmbeddedChannel {
  private long bytesOut;
  private long messagesOut;

  DiscardingChannel(ChannelHandler... handlers) {
    super(handlers);
  }

  /**
   * A connection accepted by {@code listener}: some handlers tell server from client by the
   * parent ({@code Http2MultiplexHandler} takes a connection without a server-channel parent for
   * a client).
   */
  DiscardingChannel(ServerChannel listener) {
    super(listener, DefaultChannelId.newInstance(), true, false);
  }

  @Override
  protected void handleOutboundMessage(Object msg) {
    if (msg instanceof ByteBuf buf) {
      bytesOut += buf.readableBytes();
    }
    messagesOut++;
    ReferenceCountUtil.release(msg);
  }

  /** Bytes flushed out of the pipeline so far (for sanity checks in setup). */
  long bytesOut() {
    return bytesOut;
  }

  long messagesOut() {
    return messagesOut;
  }
}
