package io.herald.http;

import io.herald.auth.AccessDenied;
import io.herald.auth.CorsPolicy;
import io.herald.fanout.LoopDispatcher;
import io.herald.metrics.HeraldStats;
import io.herald.sse.DisconnectReason;
import io.herald.sse.Subscriber;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.ObjectUtil;
import java.util.ArrayList;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 for the public port: each stream is one request — {@code GET /events} becomes one
 * subscription, {@code POST /publish} one publish — with the same routes, checks and
 * subscriber logic as HTTP/1.1; only the framing differs ({@link Http2EventStream}).
 *
 * <p>It works at the connection level ({@link Http2ConnectionHandler} with a frame listener),
 * not with a child channel and pipeline per stream ({@code Http2MultiplexHandler}): a stream here
 * is a long-lived subscription, so a per-stream channel would cost memory per subscription and
 * a pipeline traversal per event (measured about 30% slower in netty/netty#5772).
 *
 * <p>Protections, each set explicitly in {@link Builder}: the stream limit advertised in
 * SETTINGS, the header list size, Rapid Reset (CVE-2023-44487) and server-provoked resets
 * (CVE-2025-55163), CONTINUATION floods, empty DATA floods, and PING/SETTINGS floods (queued
 * control frames). A connection that stops reading altogether is closed after the stall timeout.
 *
 * <p>One per connection; replaces the HTTP/1.1 handlers once HTTP/2 is negotiated.
 */
public final class Http2EventsHandler extends Http2ConnectionHandler {
  static final String NAME = "http2";

  private final EventsRoute events;
  private final PublishRoute publish;
  private final CorsPolicy cors;
  private final int maxBodyBytes;
  private final long stallNanos;
  private final boolean demo;
  /** {@code --header-timeout}: how long the connection may go without a stream; 0: forever. */
  private final long headerTimeoutNanos;
  private ScheduledFuture<?> headerDeadline;
  private final Http2Connection.PropertyKey subscriberKey;
  private final Http2Connection.PropertyKey bodyKey;
  private final Http2Connection.PropertyKey headersKey;
  private CoalescedFlush flush;
  private final ProvokedResetLimit provokedResets =
      new ProvokedResetLimit(MAX_PROVOKED_RESETS, TimeUnit.SECONDS.toNanos(30));
  private ScheduledFuture<?> stallCheck;
  private ChannelHandlerContext context;
  private boolean failed;

  /** Resets a client may provoke per 30 s (Netty's default for its own limit). */
  static final int MAX_PROVOKED_RESETS = 200;

  /** How long a connection that failed keeps draining the client's input before closing. */
  private static final long LINGER_MILLIS = 1000;

  private Http2EventsHandler(
      Http2ConnectionDecoder decoder,
      Http2ConnectionEncoder encoder,
      Http2Settings settings,
      EventsRoute events,
      PublishRoute publish,
      CorsPolicy cors,
      int maxBodyBytes,
      long stallNanos,
      boolean demo,
      long headerTimeoutNanos) {
    super(decoder, encoder, settings);
    this.headerTimeoutNanos = headerTimeoutNanos;
    this.events = events;
    this.publish = publish;
    this.cors = cors;
    this.maxBodyBytes = maxBodyBytes;
    this.stallNanos = stallNanos;
    this.demo = demo;
    this.subscriberKey = connection().newKey();
    this.bodyKey = connection().newKey();
    this.headersKey = connection().newKey();
    connection()
        .addListener(
            new Http2ConnectionAdapter() {
              @Override
              public void onGoAwayReceived(int lastStreamId, long errorCode, ByteBuf debugData) {
                closeIfDone();
              }

              @Override
              public void onStreamAdded(Http2Stream stream) {
                cancelHeaderDeadline();
              }

              @Override
              public void onStreamClosed(Http2Stream stream) {
                Subscribed subscribed = stream.removeProperty(subscriberKey);
                if (subscribed != null) {
                  subscribed.subscriber().connectionClosed();
                }
                ByteBuf body = stream.removeProperty(bodyKey);
                if (body != null) {
                  body.release();
                }
                closeIfDone();
                if (connection().numActiveStreams() == 0) {
                  armHeaderDeadline(); // idle again, as an HTTP/1.1 keep-alive between requests
                }
              }
            });
    encoder
        .flowController()
        .listener(
            stream -> {
              Subscribed subscribed = stream.getProperty(subscriberKey);
              if (subscribed != null && encoder.flowController().isWritable(stream)) {
                subscribed.stream().writable();
                subscribed.dispatcher().writable(subscribed.subscriber());
              }
            });
  }

  /** A client that sent GOAWAY opens no more streams: close once its last one has ended. */
  private void closeIfDone() {
    ChannelHandlerContext ctx = context;
    if (ctx != null && connection().goAwayReceived() && connection().numActiveStreams() == 0) {
      ctx.close();
    }
  }

  /**
   * Slowloris for HTTP/2: a client that sends the preface (and SETTINGS, PINGs) but never a
   * HEADERS frame, or keeps a connection open with no stream, holds a place against {@code
   * --max-connections} forever. After {@code --header-timeout} without an open stream the
   * connection gets GOAWAY (NO_ERROR, "header-timeout") and is closed, counted as a {@code
   * header-timeout} disconnect. The clock starts when the handler is added (after the preface,
   * the h2c upgrade or ALPN) and again whenever the last stream ends; a new stream stops it.
   */
  private void armHeaderDeadline() {
    ChannelHandlerContext ctx = context;
    if (headerTimeoutNanos <= 0 || ctx == null || headerDeadline != null
        || connection().goAwaySent() || connection().goAwayReceived()) {
      return;
    }
    headerDeadline =
        ctx.executor()
            .schedule(
                () -> {
                  headerDeadline = null;
                  if (connection().numActiveStreams() > 0 || !ctx.channel().isActive()
                      || connection().goAwaySent()) {
                    return;
                  }
                  HeraldStats stats = events == null ? null : events.stats();
                  if (stats != null) {
                    stats.disconnected(DisconnectReason.HEADER_TIMEOUT);
                  }
                  goAway(
                          ctx,
                          connection().remote().lastStreamCreated(),
                          Http2Error.NO_ERROR.code(),
                          ByteBufUtil.writeAscii(ctx.alloc(), DisconnectReason.HEADER_TIMEOUT.label()),
                          ctx.newPromise())
                      .addListener(ChannelFutureListener.CLOSE);
                  ctx.flush();
                },
                headerTimeoutNanos,
                TimeUnit.NANOSECONDS);
  }

  private void cancelHeaderDeadline() {
    if (headerDeadline != null) {
      headerDeadline.cancel(false);
      headerDeadline = null;
    }
  }

  private record Subscribed(Subscriber subscriber, Http2EventStream stream, LoopDispatcher dispatcher) {}

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    context = ctx;
    flush = new CoalescedFlush(ctx.channel());
    if (connection().numActiveStreams() == 0) {
      armHeaderDeadline();
    }
    // Came from an HTTP/1.1 pipeline (h2c): its request handlers have nothing to do here.
    for (String name :
        new String[] {
          HttpServerInitializer.AGGREGATOR,
          CorsResponseHeaders.NAME,
          HttpServerInitializer.ROUTER,
          HeaderTimeout.NAME
        }) {
      if (ctx.pipeline().get(name) != null) {
        ctx.pipeline().remove(name);
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelHeaderDeadline();
    super.channelInactive(ctx);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
    cancelHeaderDeadline();
    super.handlerRemoved0(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent upgrade) {
      // h2c upgrade: the HTTP/1.1 request that asked for it is stream 1, already half-closed.
      FullHttpRequest request = upgrade.upgradeRequest();
      Http2Headers headers =
          new DefaultHttp2Headers().method(request.method().asciiName()).path(request.uri());
      String lastEventId = request.headers().get("Last-Event-ID");
      if (lastEventId != null) {
        headers.set("last-event-id", lastEventId);
      }
      String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
      if (authorization != null) {
        headers.set("authorization", authorization);
      }
      for (String cookie : request.headers().getAll(HttpHeaderNames.COOKIE)) {
        headers.add("cookie", cookie);
      }
      String origin = request.headers().get(HttpHeaderNames.ORIGIN);
      if (origin != null) {
        headers.set("origin", origin);
      }
      onRequest(ctx, 1, headers, request.content().retain());
    }
    super.userEventTriggered(ctx, evt);
  }

  final class Listener extends Http2FrameAdapter {
    @Override
    public void onHeadersRead(
        ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endStream)
        throws Http2Exception {
      Http2Stream stream = connection().stream(streamId);
      Http2Headers request = stream.getProperty(headersKey);
      if (request != null) {
        // Trailers after a body: they end the request; their fields are not used.
        if (endStream) {
          stream.removeProperty(headersKey);
          onRequest(ctx, streamId, request, stream.removeProperty(bodyKey));
        }
        return;
      }
      if (headers.method() == null || headers.scheme() == null || headers.path() == null) {
        // RFC 9113 §8.3.1: a request without these is malformed, a stream error.
        throw Http2Exception.streamError(
            streamId, Http2Error.PROTOCOL_ERROR, "a request needs :method, :scheme and :path");
      }
      if (endStream) {
        onRequest(ctx, streamId, headers, null);
      } else {
        // A request with a body (POST /publish): keep the headers until the body is complete.
        stream.setProperty(bodyKey, ctx.alloc().compositeBuffer());
        stream.setProperty(headersKey, headers);
      }
    }

    @Override
    public void onHeadersRead(
        ChannelHandlerContext ctx,
        int streamId,
        Http2Headers headers,
        int streamDependency,
        short weight,
        boolean exclusive,
        int padding,
        boolean endStream)
        throws Http2Exception {
      onHeadersRead(ctx, streamId, headers, padding, endStream);
    }

    @Override
    public int onDataRead(
        ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream)
        throws Http2Exception {
      int processed = data.readableBytes() + padding;
      Http2Stream stream = connection().stream(streamId);
      CompositeByteBuf body = stream == null ? null : stream.getProperty(bodyKey);
      if (body == null) {
        return processed; // a body on a stream that takes none: ignored, window returned
      }
      if (body.readableBytes() + data.readableBytes() > maxBodyBytes) {
        stream.removeProperty(bodyKey);
        Http2Headers request = stream.removeProperty(headersKey);
        body.release();
        respond(ctx, streamId, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "text/plain; charset=utf-8",
            "the body is larger than " + maxBodyBytes + " bytes\n", null, null,
            request == null ? null : text(request.get("origin")));
        return processed;
      }
      body.addComponent(true, data.retain());
      if (endOfStream) {
        stream.removeProperty(bodyKey);
        onRequest(ctx, streamId, stream.removeProperty(headersKey), body);
      }
      return processed;
    }
  }

  /** One complete request on one stream; {@code body} (may be null) is released here. */
  private void onRequest(ChannelHandlerContext ctx, int streamId, Http2Headers headers, ByteBuf body) {
    try {
      String path = headers.path() == null ? "" : headers.path().toString();
      String method = headers.method() == null ? "" : headers.method().toString();
      String origin = text(headers.get("origin"));
      boolean preflight =
          CorsPolicy.isPreflight(method, origin, text(headers.get("access-control-request-method")));
      HttpRoutes.Route route = HttpRoutes.route(method, HttpRoutes.path(path), preflight, demo);
      switch (route.kind()) {
        case EVENTS -> subscribe(ctx, streamId, path, headers, origin);
        case PUBLISH -> {
          java.util.concurrent.CompletableFuture<PublishRoute.Reply> answer =
              publish.publish(
                  text(headers.get("authorization")), body == null ? Unpooled.EMPTY_BUFFER : body);
          if (answer.isDone()) {
            PublishRoute.Reply reply = answer.join();
            respond(ctx, streamId, reply.status(), reply.contentType(), reply.body(), null,
                reply.wwwAuthenticate(), origin);
          } else {
            // Cluster mode: the answer comes once Redis stored the events.
            answer.thenAccept(
                reply ->
                    ctx.executor()
                        .execute(
                            () ->
                                respond(ctx, streamId, reply.status(), reply.contentType(),
                                    reply.body(), null, reply.wwwAuthenticate(), origin)));
          }
        }
        case PREFLIGHT -> preflight(ctx, streamId, origin, text(headers.get("access-control-request-method")));
        case DEMO -> respond(
            ctx, streamId, HttpResponseStatus.OK, DemoPage.CONTENT_TYPE, DemoPage.html(), null, null, origin);
        case NOT_FOUND -> respond(
            ctx, streamId, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", route.message() + "\n",
            null, null, origin);
        case METHOD_NOT_ALLOWED -> respond(
            ctx,
            streamId,
            HttpResponseStatus.METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            route.message() + "\n",
            route.allow(),
            null,
            origin);
      }
    } finally {
      if (body != null) {
        body.release();
      }
    }
  }

  private void subscribe(
      ChannelHandlerContext ctx, int streamId, String path, Http2Headers headers, String origin) {
    SubscribeRequest request;
    try {
      List<String> cookies = new ArrayList<>(1);
      for (CharSequence cookie : headers.getAll("cookie")) {
        cookies.add(cookie.toString());
      }
      request =
          events.parse(
              path, text(headers.get("last-event-id")), text(headers.get("authorization")), cookies);
    } catch (SubscribeRequest.Invalid invalid) {
      respond(ctx, streamId, HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8",
          invalid.getMessage() + "\n", null, null, origin);
      return;
    } catch (AccessDenied denied) {
      respond(ctx, streamId, HttpResponseStatus.valueOf(denied.status()), "text/plain; charset=utf-8",
          denied.getMessage() + "\n", null, HttpResponses.challenge(denied), origin);
      return;
    }
    Http2Stream stream = connection().stream(streamId);
    Http2Headers head =
        new DefaultHttp2Headers()
            .status(HttpResponseStatus.OK.codeAsText())
            .set("content-type", "text/event-stream; charset=utf-8")
            .set("cache-control", "no-cache, no-transform")
            .set("x-accel-buffering", "no");
    cors.addResponseHeaders(origin, head::set);
    encoder().writeHeaders(ctx, streamId, head, 0, false, ctx.newPromise());
    Http2EventStream eventStream = new Http2EventStream(ctx, encoder(), stream, flush);
    Runnable release = events.admit(ctx.channel(), request);
    if (release == null) {
      events.refuse(eventStream);
      return;
    }
    LoopDispatcher dispatcher = events.dispatcher(ctx.channel().eventLoop());
    Subscriber subscriber = events.subscriber(eventStream, request, release);
    stream.setProperty(subscriberKey, new Subscribed(subscriber, eventStream, dispatcher));
    events.start(ctx.channel().eventLoop(), eventStream, dispatcher, subscriber, request);
  }

  /** A CORS preflight: 204 with what the origin may send, or 403 without CORS headers. */
  private void preflight(ChannelHandlerContext ctx, int streamId, String origin, String requestMethod) {
    Http2Headers head = new DefaultHttp2Headers().status(HttpResponseStatus.NO_CONTENT.codeAsText());
    if (!cors.preflight(origin, requestMethod, head::set)) {
      respond(ctx, streamId, HttpResponseStatus.FORBIDDEN, "text/plain; charset=utf-8",
          CorsPolicy.REFUSED + "\n", null, null, null);
      return;
    }
    encoder().writeHeaders(ctx, streamId, head, 0, true, ctx.newPromise());
    ctx.channel().flush();
  }

  private static String text(CharSequence header) {
    return header == null ? null : header.toString();
  }


  private void respond(
      ChannelHandlerContext ctx,
      int streamId,
      HttpResponseStatus status,
      String contentType,
      String text,
      String allow,
      String wwwAuthenticate,
      String origin) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    Http2Headers head =
        new DefaultHttp2Headers()
            .status(status.codeAsText())
            .set("content-type", contentType)
            .setInt("content-length", bytes.length);
    if (allow != null) {
      head.set("allow", allow);
    }
    if (wwwAuthenticate != null) {
      head.set("www-authenticate", wwwAuthenticate);
    }
    cors.addResponseHeaders(origin, head::set);
    encoder().writeHeaders(ctx, streamId, head, 0, false, ctx.newPromise());
    encoder().writeData(ctx, streamId, ByteBufUtil.writeUtf8(ctx.alloc(), text), 0, true, ctx.newPromise());
    ctx.channel().flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (!ctx.channel().isWritable() && stallCheck == null) {
      // A connection that stops reading stalls every stream on it: close it after the timeout.
      stallCheck =
          ctx.executor()
              .schedule(
                  () -> {
                    stallCheck = null;
                    if (!ctx.channel().isWritable()) {
                      forceClose(ctx);
                    }
                  },
                  stallNanos,
                  TimeUnit.NANOSECONDS);
    } else if (ctx.channel().isWritable() && stallCheck != null) {
      stallCheck.cancel(false);
      stallCheck = null;
    }
    super.channelWritabilityChanged(ctx);
  }

  /**
   * A connection error (a flood, a protocol violation): say why with GOAWAY, stop sending, and
   * read and discard what the client already sent before closing. Closing with its bytes still
   * unread would make the kernel answer with a reset, which can destroy the GOAWAY before the
   * client reads it — the client would never learn why.
   */
  @Override
  protected void onConnectionError(
      ChannelHandlerContext ctx, boolean outbound, Throwable cause, Http2Exception http2Ex) {
    if (failed) {
      return;
    }
    failed = true;
    Http2Exception error =
        http2Ex != null
            ? http2Ex
            : new Http2Exception(Http2Error.INTERNAL_ERROR, String.valueOf(cause.getMessage()), cause);
    // The frame is written directly, not through goAway(): that one closes the connection as
    // soon as the GOAWAY is written, and a close with the client's flood still unread makes the
    // kernel answer with a reset, which can destroy the GOAWAY before the client reads it.
    int lastStreamId = connection().remote().lastStreamCreated();
    ByteBuf debugData = ByteBufUtil.writeUtf8(ctx.alloc(), String.valueOf(error.getMessage()));
    boolean first;
    try {
      first = connection().goAwaySent(lastStreamId, error.error().code(), debugData);
    } catch (Http2Exception alreadySentLower) {
      first = false;
    }
    if (first) {
      frameWriter()
          .writeGoAway(ctx, lastStreamId, error.error().code(), debugData, ctx.newPromise())
          .addListener(
              written -> {
                if (written.isSuccess() && ctx.channel() instanceof DuplexChannel duplex) {
                  duplex.shutdownOutput();
                }
              });
    } else {
      debugData.release();
    }
    ctx.flush();
    // Closed after the linger whether or not the GOAWAY got out: a client that does not read
    // would otherwise keep the connection forever.
    ctx.executor().schedule(() -> forceClose(ctx), LINGER_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * No RST_STREAM for a stream that is already closed. When a stream closes with DATA still held
   * by the flow controller, Netty fails that DATA as a stream error, which would reset the
   * stream a second time: under a reset flood those extra frames count against the reset limit,
   * and the connection error they trigger fires in the middle of a flush, where its GOAWAY
   * cannot get out before the connection is closed.
   */
  @Override
  protected void onStreamError(
      ChannelHandlerContext ctx, boolean outbound, Throwable cause, Http2Exception.StreamException http2Ex) {
    Http2Stream stream = connection().stream(http2Ex.streamId());
    if (outbound && (stream == null || stream.state() == Http2Stream.State.CLOSED)) {
      return;
    }
    super.onStreamError(ctx, outbound, cause, http2Ex);
  }

  /** Every RST_STREAM Herald sends passes here: see {@link ProvokedResetLimit}. */
  @Override
  public io.netty.channel.ChannelFuture resetStream(
      ChannelHandlerContext ctx, int streamId, long errorCode, io.netty.channel.ChannelPromise promise) {
    io.netty.channel.ChannelFuture future = super.resetStream(ctx, streamId, errorCode, promise);
    if (!failed && provokedResets.exceededBy(errorCode, System.nanoTime())) {
      Http2Exception error =
          Http2Exception.connectionError(
              Http2Error.ENHANCE_YOUR_CALM,
              "more than %d stream resets provoked within 30 seconds",
              MAX_PROVOKED_RESETS);
      onConnectionError(ctx, true, error, error);
    }
    return future;
  }

  /**
   * A failed connection sends nothing after its GOAWAY (flushed below this handler): data the
   * flow controller still holds is for a client that is being cut off.
   */
  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (!failed) {
      super.flush(ctx);
    }
  }

  /**
   * Closes the connection now. {@code ctx.close()} would go through {@link
   * Http2ConnectionHandler#close}, whose graceful shutdown first waits for a GOAWAY to be
   * written — forever, for a client that does not read — so the close starts below this handler.
   */
  private static void forceClose(ChannelHandlerContext ctx) {
    ctx.pipeline().firstContext().close();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, java.util.List<Object> out)
      throws Exception {
    if (failed) {
      in.skipBytes(in.readableBytes()); // after GOAWAY for an error, input is only drained
      return;
    }
    super.decode(ctx, in, out);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (cause instanceof java.io.IOException) {
      ctx.close(); // the client went away
      return;
    }
    super.exceptionCaught(ctx, cause);
  }

  /** Builds the handler with every HTTP/2 protection set explicitly. */
  public static final class Builder
      extends AbstractHttp2ConnectionHandlerBuilder<Http2EventsHandler, Builder> {
    /** Header block a request may send: URLs with many topics and token cookies fit. */
    static final int MAX_HEADER_LIST_SIZE = 16 * 1024;

    private final EventsRoute events;
    private final PublishRoute publish;
    private final int maxBodyBytes;
    private final long stallNanos;
    private CorsPolicy cors = CorsPolicy.none();
    private boolean demo;
    private long headerTimeoutNanos;

    public Builder(EventsRoute events, PublishRoute publish, int maxBodyBytes, long stallNanos, int maxStreams) {
      this.events = events;
      this.publish = publish;
      this.maxBodyBytes = maxBodyBytes;
      this.stallNanos = stallNanos;
      server(true);
      initialSettings(
          Http2Settings.defaultSettings()
              // Streams per connection; more are refused (RST_STREAM REFUSED_STREAM).
              .maxConcurrentStreams(maxStreams)
              // Header list size: stops memory exhaustion through huge header blocks.
              .maxHeaderListSize(MAX_HEADER_LIST_SIZE));
      // Rapid Reset (CVE-2023-44487): a client opening and resetting streams in a loop.
      decoderEnforceMaxRstFramesPerWindow(200, 30);
      // The server-side twin (CVE-2025-55163): frames crafted to make us reset streams. Counted
      // by ProvokedResetLimit in resetStream instead of Netty's encoder limit, which closes the
      // connection before its GOAWAY gets out.
      encoderEnforceMaxRstFramesPerWindow(0, 0);
      // CONTINUATION floods (2024): endless tiny CONTINUATION frames of one header block.
      decoderEnforceMaxSmallContinuationFrames(16);
      // Empty DATA floods (CVE-2019-9518): frames that cost work and carry nothing.
      decoderEnforceMaxConsecutiveEmptyDataFrames(2);
      // PING / SETTINGS floods (CVE-2019-9512/9515): answers we must queue for a non-reader.
      encoderEnforceMaxQueuedControlFrames(1000);
    }

    /** Which origins may call the routes from a browser; none unless set. */
    public Builder cors(CorsPolicy cors) {
      this.cors = cors;
      return this;
    }

    /** {@code --demo}: serve the demo page at {@code GET /} and {@code /demo}. */
    public Builder demo(boolean demo) {
      this.demo = demo;
      return this;
    }

    /**
     * {@code --header-timeout}: a connection with no open stream for this long gets GOAWAY and
     * is closed (Slowloris over HTTP/2); 0, the default here: never.
     */
    public Builder headerTimeout(long nanos) {
      this.headerTimeoutNanos = ObjectUtil.checkPositiveOrZero(nanos, "nanos");
      return this;
    }

    public Http2EventsHandler build() {
      return super.build();
    }

    @Override
    protected Http2EventsHandler build(
        Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
      Http2EventsHandler handler =
          new Http2EventsHandler(
              decoder, encoder, settings, events, publish, cors, maxBodyBytes, stallNanos, demo,
              headerTimeoutNanos);
      frameListener(handler.new Listener());
      return handler;
    }
  }

}
