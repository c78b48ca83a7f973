package io.herald.http;

import io.herald.auth.AccessDenied;
import io.herald.auth.CorsPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;

/**
 * Complete (non-streaming) responses: a status with a short text or JSON body, written with
 * HTTP/1.1 keep-alive handled properly, so pipelined requests on one connection work.
 */
public final class HttpResponses {
  /** Set on a connection whose answers of the current read wait for {@link #flushAnswers}. */
  private static final AttributeKey<Boolean> UNFLUSHED = AttributeKey.valueOf("herald.unflushed-answers");

  private HttpResponses() {}

  /** A plain-text reason a person can read, for every refusal. */
  public static void text(
      ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String text) {
    send(ctx, request, status, "text/plain; charset=utf-8", text + "\n");
  }

  /**
   * 401 or 403 with the reason; a 401 carries the {@code WWW-Authenticate: Bearer} challenge
   * RFC 9110 requires.
   */
  public static void denied(ChannelHandlerContext ctx, HttpRequest request, AccessDenied denied) {
    send(ctx, request, HttpResponseStatus.valueOf(denied.status()), "text/plain; charset=utf-8",
        denied.getMessage() + "\n", challenge(denied));
  }

  /** The {@code WWW-Authenticate} value for a refusal, or null for none. */
  public static String challenge(AccessDenied denied) {
    return denied.isUnauthenticated() ? "Bearer realm=\"herald\"" : null;
  }

  /**
   * A CORS preflight: 204 with what the origin may send, or 403 (without CORS headers, so the
   * browser refuses the real request) for an origin that is not allowed.
   */
  public static void preflight(ChannelHandlerContext ctx, HttpRequest request, CorsPolicy cors) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    boolean allowed =
        cors.preflight(
            request.headers().get(HttpHeaderNames.ORIGIN),
            request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD),
            response.headers()::set);
    if (!allowed) {
      response.release();
      text(ctx, request, HttpResponseStatus.FORBIDDEN, CorsPolicy.REFUSED);
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    HttpUtil.setKeepAlive(response, keepAlive);
    ChannelFuture written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  public static void json(
      ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String json) {
    send(ctx, request, status, "application/json", json + "\n");
  }

  public static ChannelFuture send(
      ChannelHandlerContext ctx,
      HttpRequest request,
      HttpResponseStatus status,
      String contentType,
      String body) {
    return send(ctx, request, status, contentType, body, null);
  }

  /** @param wwwAuthenticate a {@code WWW-Authenticate} challenge, or null */
  public static ChannelFuture send(
      ChannelHandlerContext ctx,
      HttpRequest request,
      HttpResponseStatus status,
      String contentType,
      String body,
      String wwwAuthenticate) {
    return send(ctx, request, status, contentType, body, wwwAuthenticate, true);
  }

  /**
   * The same, for an answer given while its request is being read ({@link HttpRouter}'s {@code
   * channelRead}): written now, flushed with the read's other answers when the read is complete
   * ({@link #flushAnswers}), so a read carrying several pipelined requests costs one {@code send}
   * for all their answers instead of one each. An answer that closes the connection is flushed
   * at once, as {@link #send} does. Answers keep their order either way: a flush sends
   * everything written before it.
   */
  static ChannelFuture sendInRead(
      ChannelHandlerContext ctx,
      HttpRequest request,
      HttpResponseStatus status,
      String contentType,
      String body,
      String wwwAuthenticate) {
    return send(ctx, request, status, contentType, body, wwwAuthenticate, false);
  }

  /** {@link #sendInRead} for a request already gone: {@code keepAlive} is what it asked for. */
  static ChannelFuture sendInRead(
      ChannelHandlerContext ctx,
      boolean keepAlive,
      HttpResponseStatus status,
      String contentType,
      String body,
      String wwwAuthenticate) {
    return send(ctx, keepAlive, status, contentType, body, wwwAuthenticate, false);
  }

  /** Flushes the answers {@link #sendInRead} left for the end of this read, if there are any. */
  static void flushAnswers(ChannelHandlerContext ctx) {
    // hasAttr first: a connection that never had such an answer (a stream's) gets no attribute.
    if (ctx.channel().hasAttr(UNFLUSHED)
        && ctx.channel().attr(UNFLUSHED).getAndSet(Boolean.FALSE) == Boolean.TRUE) {
      ctx.flush();
    }
  }

  private static ChannelFuture send(
      ChannelHandlerContext ctx,
      HttpRequest request,
      HttpResponseStatus status,
      String contentType,
      String body,
      String wwwAuthenticate,
      boolean flush) {
    return send(ctx, request != null && HttpUtil.isKeepAlive(request), status, contentType, body, wwwAuthenticate, flush);
  }

  private static ChannelFuture send(
      ChannelHandlerContext ctx,
      boolean keepAlive,
      HttpResponseStatus status,
      String contentType,
      String body,
      String wwwAuthenticate,
      boolean flush) {
    ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    if (wwwAuthenticate != null) {
      response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, wwwAuthenticate);
    }
    HttpUtil.setContentLength(response, content.readableBytes());
    HttpUtil.setKeepAlive(response, keepAlive);
    if (keepAlive && !flush) {
      ctx.channel().attr(UNFLUSHED).set(Boolean.TRUE);
      return ctx.write(response);
    }
    ChannelFuture written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
    return written;
  }
}
