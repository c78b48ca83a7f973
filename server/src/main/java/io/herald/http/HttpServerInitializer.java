package io.herald.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsciiString;
import io.netty.util.internal.ObjectUtil;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The public HTTP pipeline. On the plaintext port, HTTP/1.1 and h2c (prior knowledge, or the
 * HTTP/1.1 {@code Upgrade: h2c} request) share the port:
 *
 * <pre>
 * connection-limit  counts connections against --max-connections
 * admission         starts reading a new connection when its event loop admits it (at most
 *                   AdmissionGate.PER_TURN a turn and --admission-rate a second: reconnect
 *                   storms)
 * http1-setup       until then stands in for raw-writes and h2c, and builds them, the
 *                   aggregator, cors and router once admitted: a connection waiting in a storm
 *                   holds four handlers, not nine
 * raw-writes        where pre-framed event chunks enter, below the codec
 * h2c               sees an HTTP/2 preface: becomes the HTTP/2 handler; else adds the codec
 *                   (HTTP/1.1, request line and header sizes capped) and the upgrade handler
 * header-timeout    closes a connection without a complete request head in --header-timeout
 *                   (Slowloris); HTTP/2 removes it
 * aggregator        whole requests, bodies capped at --publish-max-bytes
 * cors              adds the CORS headers (--cors-origin) to each answer
 * router            /events, /publish; replaced by event-stream once a stream starts
 * </pre>
 *
 * Once a connection carries an HTTP/1.1 event stream, only {@code connection-limit}, {@code
 * raw-writes} (and {@code tls}) and {@code event-stream} stay ({@link #keepOnlyTheStream}).
 *
 * On the TLS port, {@code tls} and ALPN come first and choose between the HTTP/2 handler and
 * the same HTTP/1.1 handlers; {@code header-timeout} is there from the start, so the handshake
 * counts against it too.
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
  private final Supplier<Http2EventsHandler> http2;
  private final int maxBodyBytes;
  private final ChannelGroup channels;
  private final SslContext tls;
  private final long headerTimeoutNanos;
  private final AdmissionGate admission;
  private final Http1Setup http1Setup = new Http1Setup();

  /**
   * @param http2 makes the HTTP/2 handler of one connection, when HTTP/2 is chosen
   * @param channels every open connection is added here, so a shutdown can wait for them
   * @param tls for the TLS port, or null for the plaintext port
   */
  public HttpServerInitializer(
      ConnectionLimiter limiter,
      HttpRouter router,
      Supplier<Http2EventsHandler> http2,
      int maxBodyBytes,
      ChannelGroup channels,
      SslContext tls) {
    this(limiter, router, http2, maxBodyBytes, channels, tls, TimeUnit.SECONDS.toNanos(10));
  }

  /** @param headerTimeoutNanos how long a connection may take to send a request head */
  public HttpServerInitializer(
      ConnectionLimiter limiter,
      HttpRouter router,
      Supplier<Http2EventsHandler> http2,
      int maxBodyBytes,
      ChannelGroup channels,
      SslContext tls,
      long headerTimeoutNanos) {
    this(limiter, router, http2, maxBodyBytes, channels, tls, headerTimeoutNanos, 0);
  }

  /**
   * @param admissionIntervalNanos paces the connections each event loop starts reading: {@link
   *     io.herald.fanout.Pace#intervalNanos} of {@code --admission-rate}; 0 for no pacing by time
   */
  public HttpServerInitializer(
      ConnectionLimiter limiter,
      HttpRouter router,
      Supplier<Http2EventsHandler> http2,
      int maxBodyBytes,
      ChannelGroup channels,
      SslContext tls,
      long headerTimeoutNanos,
      long admissionIntervalNanos) {
    this.admission = new AdmissionGate(admissionIntervalNanos);
    this.headerTimeoutNanos = ObjectUtil.checkPositive(headerTimeoutNanos, "headerTimeoutNanos");
    this.limiter = limiter;
    this.router = router;
    this.http2 = http2;
    this.maxBodyBytes = maxBodyBytes;
    this.channels = channels;
    this.tls = tls;
  }

  /** Whether a public connection carries an HTTP/1.1 event stream. */
  public static boolean isEventStream(Channel channel) {
    return channel.pipeline().get(EventStreamHandler.NAME) != null;
  }

  /** Whether a public connection speaks HTTP/2 (it may carry any number of streams). */
  public static boolean isHttp2(Channel channel) {
    return channel.pipeline().get(Http2EventsHandler.NAME) != null;
  }

  @Override
  protected void initChannel(Channel ch) {
    router.events().nudge(ch.eventLoop());
    channels.add(ch);
    ChannelPipeline p = ch.pipeline();
    p.addLast(ConnectionLimiter.NAME, limiter);
    AdmissionGate.holdReads(ch);
    p.addLast(AdmissionGate.NAME, admission);
    if (tls != null) {
      p.addLast("tls", tls.newHandler(ch.alloc()));
      p.addLast("alpn", new AlpnNegotiator());
      p.addLast(HeaderTimeout.NAME, new HeaderTimeout(headerTimeoutNanos, limiter.stats()));
      return;
    }
    p.addLast(Http1Setup.NAME, http1Setup);
    p.addLast(HeaderTimeout.NAME, new HeaderTimeout(headerTimeoutNanos, limiter.stats()));
  }

  /**
   * Builds the plaintext port's HTTP handlers of a connection when its loop admits it ({@link
   * AdmissionGate#ADMITTED}), in the places the class comment shows, and leaves. A reconnect
   * storm's connections wait in the admission line for up to a second or two; built at once,
   * each would hold a codec, an upgrade handler, an aggregator and their contexts all that time,
   * and every young collection of the storm copies what they hold.
   */
  @ChannelHandler.Sharable
  private final class Http1Setup extends ChannelInboundHandlerAdapter {
    static final String NAME = "http1-setup";

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event != AdmissionGate.ADMITTED) {
        ctx.fireUserEventTriggered(event);
        return;
      }
      ChannelPipeline p = ctx.pipeline();
      p.addBefore(HeaderTimeout.NAME, RawWriteAnchor.NAME, RawWriteAnchor.INSTANCE);
      HttpServerCodec codec = newCodec();
      HttpServerUpgradeHandler upgrade =
          new HttpServerUpgradeHandler(
              codec,
              protocol ->
                  AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                      ? new Http2ServerUpgradeCodec(Http2EventsHandler.NAME, http2.get())
                      : null,
              maxBodyBytes);
      p.addBefore(
          HeaderTimeout.NAME,
          "h2c",
          new CleartextHttp2ServerUpgradeHandler(codec, upgrade, new Http2OnDemand()));
      addHttp1Handlers(p);
      p.remove(this);
    }
  }

  /**
   * Once a connection's answer is an event stream (its response head written), removes every
   * handler that only served requests: the admission gate, the header timeout, the h2c upgrade
   * handler and the HTTP codec (events enter below it, at {@code raw-writes}, and a stream's
   * end is written there too), as the aggregator and CORS headers already are. Ten thousand
   * streams then hold three handlers each instead of seven (a reconnect storm's young
   * collections copy less), and their closes tear down less. Bytes a client sends after its
   * request reach {@code event-stream} undecoded, which discards them as it discarded decoded
   * requests before. Safe from inside the codec's decode: Netty's own h2c upgrade removes the
   * codec from there too.
   */
  static void keepOnlyTheStream(ChannelPipeline p) {
    removeIfPresent(p, p.get(AdmissionGate.NAME));
    removeIfPresent(p, p.get(HeaderTimeout.NAME));
    removeIfPresent(p, p.get(HttpServerUpgradeHandler.class));
    removeIfPresent(p, p.get(HttpServerCodec.class));
  }

  private static void removeIfPresent(ChannelPipeline p, io.netty.channel.ChannelHandler handler) {
    if (handler != null) {
      p.remove(handler);
    }
  }

  private static HttpServerCodec newCodec() {
    return new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, 65536);
  }

  private void addHttp1Handlers(ChannelPipeline p) {
    // A body over the cap gets 413 and the connection closes: no unbounded buffering.
    p.addLast(AGGREGATOR, new HttpObjectAggregator(maxBodyBytes, true));
    p.addLast(CorsResponseHeaders.NAME, new CorsResponseHeaders(router.cors()));
    p.addLast(ROUTER, router);
  }

  /**
   * Stands in for the HTTP/2 handler until a client sends the HTTP/2 preface, so a plain
   * HTTP/1.1 connection never builds HTTP/2 state it will not use.
   */
  private final class Http2OnDemand extends ChannelHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ctx.pipeline().replace(this, Http2EventsHandler.NAME, http2.get());
    }
  }

  /** After the TLS handshake: HTTP/2 when the client offered it, HTTP/1.1 otherwise. */
  private final class AlpnNegotiator extends ApplicationProtocolNegotiationHandler {
    AlpnNegotiator() {
      super(ApplicationProtocolNames.HTTP_1_1);
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      ChannelPipeline p = ctx.pipeline();
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        p.addLast(Http2EventsHandler.NAME, http2.get());
      } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
        // Below header-timeout, which must see decoded requests.
        p.addBefore(HeaderTimeout.NAME, RawWriteAnchor.NAME, RawWriteAnchor.INSTANCE);
        p.addBefore(HeaderTimeout.NAME, "codec", newCodec());
        addHttp1Handlers(p);
      } else {
        ctx.close();
      }
    }
  }
}
