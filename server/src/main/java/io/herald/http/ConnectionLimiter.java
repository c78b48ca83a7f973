package io.herald.http;

import io.herald.metrics.HeraldStats;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the public HTTP port's connections against {@code --max-connections}. A connection over
 * the limit is still served one answer — for {@code /events}, 200 with a jittered {@code
 * retry:} and the end of the stream, so browsers come back later instead of giving up — and is
 * then closed. First in the pipeline; one instance shared by all connections.
 */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
  static final String NAME = "connection-limit";
  private static final AttributeKey<Boolean> OVER_LIMIT =
      AttributeKey.valueOf(ConnectionLimiter.class, "overLimit");

  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();
  private final HeraldStats stats;

  /** Where the public port's connection figures are counted. */
  HeraldStats stats() {
    return stats;
  }

  public ConnectionLimiter(int maxConnections, HeraldStats stats) {
    this.maxConnections = maxConnections;
    this.stats = stats;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    stats.httpConnectionOpened();
    if (open.incrementAndGet() > maxConnections) {
      ctx.channel().attr(OVER_LIMIT).set(Boolean.TRUE);
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    open.decrementAndGet();
    stats.httpConnectionClosed();
    ctx.fireChannelInactive();
  }

  static boolean isOverLimit(Channel channel) {
    return Boolean.TRUE.equals(channel.attr(OVER_LIMIT).get());
  }
}
