package io.herald.http;

import io.herald.auth.CorsPolicy;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.AttributeKey;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Sends each request on the public HTTP port to its route: {@code GET /events} opens an event
 * stream, {@code POST /publish} publishes, with {@code --demo} {@code GET /} and {@code /demo}
 * serve the demo page; any other path is 404 and any other method 405.
 *
 * <p>Sits last in the HTTP/1.1 pipeline, after the aggregator; stateless and shared by every
 * connection. Requests pipelined in one read are answered in order, and a publish's answer is
 * flushed once for the whole read, at {@code channelReadComplete}; on one node the read's POSTs
 * are published together ({@link PublishRoute#publishWaiting}), before any other request of it is
 * routed. Requests the codec could not parse get 400 and the connection is closed, since
 * nothing after a broken request can be trusted to be framed right.
 */
@ChannelHandler.Sharable
public final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
  /**
   * The requests of a connection read while an answer is still to come (a publish waiting for
   * Redis), in order; present only while there is such an answer. They were decoded from the
   * same read as the waiting one (turning autoRead off stops only the reads after it), and
   * routed at once one could be answered before it.
   */
  private static final AttributeKey<ArrayDeque<FullHttpRequest>> HELD =
      AttributeKey.valueOf("herald.held-requests");

  private final EventsRoute events;
  private final PublishRoute publish;
  private final CorsPolicy cors;
  private final boolean demo;

  /** @param demo {@code --demo}: serve the demo page */
  public HttpRouter(EventsRoute events, PublishRoute publish, CorsPolicy cors, boolean demo) {
    this.events = events;
    this.publish = publish;
    this.cors = cors;
    this.demo = demo;
  }

  CorsPolicy cors() {
    return cors;
  }

  EventsRoute events() {
    return events;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!ctx.channel().isActive()) {
      // Read with others before the connection closed (after an answer with Connection: close):
      // a server processes no request after that answer (RFC 9112 §9.6), and its answer could
      // not be sent anyway (a publish would be stored, and the client never told).
      return;
    }
    ArrayDeque<FullHttpRequest> held = ctx.channel().hasAttr(HELD) ? ctx.channel().attr(HELD).get() : null;
    if (held != null) {
      held.add(request.retain()); // answers go in request order: this one waits its turn
      return;
    }
    route(ctx, request);
  }

  private void route(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      publish.publishWaiting(ctx);
      Throwable cause = request.decoderResult().cause();
      HttpResponseStatus status =
          cause instanceof TooLongFrameException
              ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
              : HttpResponseStatus.BAD_REQUEST;
      closeWith(ctx, status, "malformed request: " + cause.getMessage());
      return;
    }
    String path = HttpRoutes.path(request.uri());
    String method = request.method().name();
    boolean preflight =
        CorsPolicy.isPreflight(
            method,
            request.headers().get(HttpHeaderNames.ORIGIN),
            request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD));
    HttpRoutes.Route route = HttpRoutes.route(method, path, preflight, demo);
    if (route.kind() != HttpRoutes.Kind.PUBLISH) {
      // The POSTs read before it are published and answered first, in request order.
      publish.publishWaiting(ctx);
    }
    switch (route.kind()) {
      case EVENTS -> events.subscribe(ctx, request);
      case PUBLISH -> {
        CompletableFuture<Void> written = publish.publish(ctx, request);
        if (written != null) {
          ctx.channel().attr(HELD).set(new ArrayDeque<>(2));
          written.thenRun(() -> routeHeld(ctx)); // completes on the connection's loop
        }
      }
      case PREFLIGHT -> HttpResponses.preflight(ctx, request, cors);
      case DEMO -> HttpResponses.send(
          ctx, request, HttpResponseStatus.OK, DemoPage.CONTENT_TYPE, DemoPage.html());
      case NOT_FOUND -> HttpResponses.text(ctx, request, HttpResponseStatus.NOT_FOUND, route.message());
      case METHOD_NOT_ALLOWED -> methodNotAllowed(ctx, request, route);
    }
  }

  private static void methodNotAllowed(
      ChannelHandlerContext ctx, FullHttpRequest request, HttpRoutes.Route route) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.METHOD_NOT_ALLOWED,
            io.netty.buffer.ByteBufUtil.writeUtf8(ctx.alloc(), route.message() + "\n"));
    response.headers().set(HttpHeaderNames.ALLOW, route.allow());
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    HttpUtil.setContentLength(response, response.content().readableBytes());
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    HttpUtil.setKeepAlive(response, keepAlive);
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static void closeWith(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
    HttpResponses.send(ctx, null, status, "text/plain; charset=utf-8", text + "\n");
  }

  /** The answer that held the connection's later requests is written: routes them, in order. */
  private void routeHeld(ChannelHandlerContext ctx) {
    ArrayDeque<FullHttpRequest> held = ctx.channel().attr(HELD).getAndSet(null);
    FullHttpRequest next;
    while (held != null && (next = held.poll()) != null) {
      if (ctx.isRemoved()) { // a held GET /events made the connection a stream: the rest is ignored
        next.release();
        held.forEach(FullHttpRequest::release);
        return;
      }
      try {
        channelRead0(ctx, next);
      } finally {
        next.release();
      }
      ArrayDeque<FullHttpRequest> again = ctx.channel().attr(HELD).get();
      if (again != null) {
        again.addAll(held); // another answer waits now: the rest wait behind it, still in order
        return;
      }
    }
    publish.publishWaiting(ctx);
    HttpResponses.flushAnswers(ctx); // routed outside a read: no channelReadComplete to do it
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    publish.publishWaiting(ctx); // read and accepted before the close: published, as they came
    ArrayDeque<FullHttpRequest> held = ctx.channel().hasAttr(HELD) ? ctx.channel().attr(HELD).getAndSet(null) : null;
    if (held != null) {
      held.forEach(FullHttpRequest::release);
    }
    ctx.fireChannelInactive();
  }

  /** One flush for the answers to every request this read carried (pipelining). */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    publish.publishWaiting(ctx);
    HttpResponses.flushAnswers(ctx);
    ctx.fireChannelReadComplete();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
