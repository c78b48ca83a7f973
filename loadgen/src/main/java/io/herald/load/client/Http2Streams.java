package io.herald.load.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Many SSE streams on one HTTP/2 connection: once the connection is up, opens one {@code GET}
 * stream per {@link StreamCheck} and feeds each stream's DATA to its check. DATA carries the
 * event stream directly, so no transfer framing is removed. The connection starts either in
 * clear text with prior knowledge (h2c, {@link #install}) or over TLS once ALPN chose {@code h2}
 * ({@link #installOverTls}); from there on both are the same.
 *
 * <p>A churned stream is reset ({@code RST_STREAM CANCEL}, what a browser does when an {@code
 * EventSource} closes) and opened again on the same connection with {@code last-event-id}.
 */
public final class Http2Streams {
  /** Per-stream window: large, since an SSE stream only ever receives. */
  private static final int STREAM_WINDOW = 1 << 20;

  private Http2Streams() {}

  /**
   * Connects through {@code dial} and carries {@code checks.size()} streams on the connection:
   * over TLS when {@code tls} is given, else h2c with prior knowledge.
   */
  public static void connect(Dial dial, SslContext tls, String host, int port, String authority, List<String> paths,
      List<StreamCheck> checks) {
    dial.connect(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                if (tls != null) {
                  installOverTls(ch.pipeline(), tls, host, port, authority, paths, checks);
                } else {
                  install(ch.pipeline(), "http", authority, paths, checks);
                }
              }
            })
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                checks.forEach(check -> check.connectFailed(f.cause()));
              }
            });
  }

  /**
   * A client TLS context offering only {@code h2} by ALPN that trusts any certificate and checks
   * no host name: a load tool measures a server, it does not protect a user's data.
   */
  public static SslContext insecureTlsContext() throws SSLException {
    return SslContextBuilder.forClient()
        .trustManager(InsecureTrustManagerFactory.INSTANCE)
        .endpointIdentificationAlgorithm(null)
        .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
        .applicationProtocolConfig(
            new ApplicationProtocolConfig(
                ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                ApplicationProtocolNames.HTTP_2))
        .build();
  }

  /**
   * Adds TLS to {@code pipeline} and, once the handshake chose {@code h2}, the same handlers as
   * {@link #install}. A server that does not choose {@code h2} fails every stream ({@code
   * alpn-<protocol>}); a failed handshake fails them as {@code tls-handshake}.
   */
  private static void installOverTls(ChannelPipeline pipeline, SslContext tls, String host, int port,
      String authority, List<String> paths, List<StreamCheck> checks) {
    pipeline.addLast("tls", tls.newHandler(pipeline.channel().alloc(), host, port));
    pipeline.addLast("alpn", new Alpn(authority, paths, checks));
  }

  private static void install(ChannelPipeline pipeline, String scheme, String authority, List<String> paths,
      List<StreamCheck> checks) {
    Http2Connection connection = new DefaultHttp2Connection(false);
    Http2Connection.PropertyKey key = connection.newKey();
    Http2ConnectionHandler handler =
        new Http2ConnectionHandlerBuilder()
            .connection(connection)
            .initialSettings(Http2Settings.defaultSettings().initialWindowSize(STREAM_WINDOW))
            .gracefulShutdownTimeoutMillis(0)
            .frameListener(new Listener(connection, key))
            .build();
    pipeline.addLast("http2", handler);
    pipeline.addLast("open-streams", new Opener(handler, key, scheme, authority, paths, checks));
  }

  /** Starts HTTP/2 once TLS is up and ALPN chose it. One per connection. */
  private static final class Alpn extends ApplicationProtocolNegotiationHandler {
    private final String authority;
    private final List<String> paths;
    private final List<StreamCheck> checks;
    private boolean configured;

    Alpn(String authority, List<String> paths, List<StreamCheck> checks) {
      super("none");
      this.authority = authority;
      this.paths = paths;
      this.checks = checks;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      configured = true;
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        install(ctx.pipeline(), "https", authority, paths, checks);
      } else {
        checks.forEach(check -> check.fail("alpn-" + protocol));
        ctx.close();
      }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      configured = true;
      checks.forEach(check -> check.fail("tls-handshake"));
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (!configured) {
        checks.forEach(StreamCheck::ended); // closed before TLS was up
      }
      super.channelInactive(ctx);
    }
  }

  /**
   * Opens the streams once the connection (and its preface) is up — at once when it is added to
   * a connection already active (after TLS), else when it becomes active. One per connection.
   */
  private static final class Opener extends ChannelInboundHandlerAdapter {
    private final Http2ConnectionHandler handler;
    private final Http2Connection.PropertyKey key;
    private final String scheme;
    private final String authority;
    private final List<String> paths;
    private final List<StreamCheck> checks;
    private ChannelHandlerContext h2;
    private boolean opened;

    Opener(Http2ConnectionHandler handler, Http2Connection.PropertyKey key, String scheme, String authority,
        List<String> paths, List<StreamCheck> checks) {
      this.handler = handler;
      this.key = key;
      this.scheme = scheme;
      this.authority = authority;
      this.paths = paths;
      this.checks = checks;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      if (ctx.channel().isActive()) {
        openAll(ctx);
      }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      openAll(ctx);
      ctx.fireChannelActive();
    }

    private void openAll(ChannelHandlerContext ctx) {
      if (opened) {
        return;
      }
      opened = true;
      h2 = ctx.pipeline().context(handler);
      Http2Connection connection = handler.connection();
      try {
        // A large connection window: the streams' windows are what matters.
        connection.local().flowController().incrementWindowSize(connection.connectionStream(), 64 << 20);
      } catch (Http2Exception e) {
        throw new IllegalStateException(e);
      }
      for (int i = 0; i < checks.size(); i++) {
        Stream stream = new Stream(checks.get(i), paths.get(i));
        stream.check.carriedBy(stream);
        stream.open(null);
      }
      ctx.channel().flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      for (StreamCheck check : checks) {
        check.ended();
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      for (StreamCheck check : checks) {
        check.fail(cause instanceof java.io.IOException ? "reset" : "error");
      }
      ctx.close();
    }

    /** One SSE stream of this connection: the HTTP/2 stream carrying it changes on each resume. */
    private final class Stream implements StreamCheck.Carrier {
      final StreamCheck check;
      final String path;
      int id;

      Stream(StreamCheck check, String path) {
        this.check = check;
        this.path = path;
      }

      void open(String lastEventId) {
        Http2Connection connection = handler.connection();
        id = connection.local().incrementAndGetNextStreamId();
        Http2Headers headers =
            new DefaultHttp2Headers().method("GET").scheme(scheme).authority(authority).path(path);
        if (lastEventId != null) {
          headers.set("last-event-id", lastEventId);
        }
        handler.encoder().writeHeaders(h2, id, headers, 0, true, h2.newPromise());
        var stream = connection.stream(id);
        if (stream == null) { // not created: beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS
          check.fail("stream-refused");
          return;
        }
        stream.setProperty(key, check);
      }

      @Override
      public void resume(String lastEventId) {
        var old = handler.connection().stream(id);
        if (old != null) {
          old.removeProperty(key); // what still arrives for it is not this check's any more
        }
        handler.resetStream(h2, id, Http2Error.CANCEL.code(), h2.newPromise());
        check.carriedBy(this);
        open(lastEventId);
        h2.flush();
      }

      @Override
      public void reopen(String lastEventId) {
        throw new UnsupportedOperationException("--reconnect is for --protocol h1 only");
      }

      @Override
      public void leave() {
        throw new UnsupportedOperationException("--storm is for --protocol h1 only");
      }
    }
  }

  private static final class Listener extends Http2FrameAdapter {
    private final Http2Connection connection;
    private final Http2Connection.PropertyKey key;

    Listener(Http2Connection connection, Http2Connection.PropertyKey key) {
      this.connection = connection;
      this.key = key;
    }

    private StreamCheck check(int streamId) {
      var stream = connection.stream(streamId);
      return stream == null ? null : stream.getProperty(key);
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endStream) {
      StreamCheck check = check(streamId);
      if (check != null && headers.status() != null && !headers.status().toString().equals("200")) {
        check.fail("status-" + headers.status());
      }
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
        short weight, boolean exclusive, int padding, boolean endStream) {
      onHeadersRead(ctx, streamId, headers, padding, endStream);
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream)
        throws Http2Exception {
      int processed = data.readableBytes() + padding;
      StreamCheck check = check(streamId);
      if (check != null) {
        check.feed(data);
        if (endOfStream) {
          check.ended();
        }
      }
      return processed;
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
      StreamCheck check = check(streamId);
      if (check != null) {
        check.fail("rst-stream-" + errorCode);
      }
    }
  }
}
