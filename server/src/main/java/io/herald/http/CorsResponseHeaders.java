package io.herald.http;

import io.herald.auth.CorsPolicy;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayDeque;

/**
 * Adds the CORS headers ({@link CorsPolicy}) to every HTTP/1.1 answer of the public port: each
 * request's {@code Origin} is remembered in order as it goes to the router, and the next response
 * head that comes back (a complete answer, or the head of an event stream) takes it — HTTP/1.1
 * answers pipelined requests in order, so the two always pair up.
 *
 * <p>Sits between the aggregator and the router; one per connection (it holds the origins of
 * requests not answered yet, at most a few).
 */
final class CorsResponseHeaders extends ChannelDuplexHandler {
  static final String NAME = "cors";
  private static final String NO_ORIGIN = "";

  private final CorsPolicy policy;
  private final ArrayDeque<String> origins = new ArrayDeque<>(2);

  CorsResponseHeaders(CorsPolicy policy) {
    this.policy = policy;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest request) {
      String origin = request.headers().get(HttpHeaderNames.ORIGIN);
      origins.add(origin == null ? NO_ORIGIN : origin);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response
        && !response.status().equals(HttpResponseStatus.CONTINUE)) {
      String origin = origins.poll();
      if (origin != null && origin != NO_ORIGIN) {
        policy.addResponseHeaders(origin, response.headers()::set);
      }
    }
    ctx.write(msg, promise);
  }
}
