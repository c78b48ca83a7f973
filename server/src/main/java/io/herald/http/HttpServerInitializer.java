package io.herald.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The public HTTP/1.1 pipeline, in order:
 *
 * <pre>
 * connection-limit  counts connections against --max-connections
 * raw-writes        where pre-framed event chunks enter, below the codec
 * codec             HTTP/1.1; request line and header sizes capped
 * aggregator        whole requests, bodies capped at --publish-max-bytes
 * router            /events, /publish; replaced by event-stream once a stream starts
 * </pre>
 */
public final class HttpServerInitializer extends ChannelInitializer<Channel> {
  static final String AGGREGATOR = "aggregator";
  static final String ROUTER = "router";

  /** Longest request line: a URL with many topics fits, a memory attack does not. */
  private static final int MAX_INITIAL_LINE = 8192;
  /** All request headers together; cookies with tokens fit, header floods do not. */
  private static final int MAX_HEADER_SIZE = 16384;

  private final ConnectionLimiter limiter;
  private final HttpRouter router;
  private final int maxBodyBytes;
  private final ChannelGroup channels;

  /** @param channels every open connection is added here, so a shutdown can wait for them */
  public HttpServerInitializer(
      ConnectionLimiter limiter, HttpRouter router, int maxBodyBytes, ChannelGroup channels) {
    this.channels = channels;
    this.limiter = limiter;
    this.router = router;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Whether a public connection carries an event stream (as opposed to plain requests). */
  public static boolean isEventStream(Channel channel) {
    return channel.pipeline().get(EventStreamHandler.NAME) != null;
  }

  @Override
  protected void initChannel(Channel ch) {
    channels.add(ch);
    ChannelPipeline p = ch.pipeline();
    p.addLast(ConnectionLimiter.NAME, limiter);
    p.addLast(RawWriteAnchor.NAME, RawWriteAnchor.INSTANCE);
    p.addLast("codec", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, 65536));
    // A body over the cap gets 413 and the connection closes: no unbounded buffering.
    p.addLast(AGGREGATOR, new HttpObjectAggregator(maxBodyBytes, true));
    p.addLast(ROUTER, router);
  }
}
