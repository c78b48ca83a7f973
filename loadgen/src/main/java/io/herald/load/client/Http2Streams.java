package io.herald.load.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.List;

/**
 * Many SSE streams on one HTTP/2 connection (h2c with prior knowledge): once the connection is
 * up, opens one {@code GET} stream per {@link StreamCheck} and feeds each stream's DATA to its
 * check. DATA carries the event stream directly, so no transfer framing is removed.
 */
public final class Http2Streams {
  /** Per-stream window: large, since an SSE stream only ever receives. */
  private static final int STREAM_WINDOW = 1 << 20;

  private Http2Streams() {}

  /** Adds the HTTP/2 handlers for {@code checks.size()} streams to {@code pipeline}. */
  public static void install(ChannelPipeline pipeline, String authority, List<String> paths, List<StreamCheck> checks) {
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
    pipeline.addLast("open-streams", new Opener(handler, key, authority, paths, checks));
  }

  /** Opens the streams once the connection (and its preface) is up. */
  private static final class Opener extends ChannelInboundHandlerAdapter {
    private final Http2ConnectionHandler handler;
    private final Http2Connection.PropertyKey key;
    private final String authority;
    private final List<String> paths;
    private final List<StreamCheck> checks;

    Opener(Http2ConnectionHandler handler, Http2Connection.PropertyKey key, String authority,
        List<String> paths, List<StreamCheck> checks) {
      this.handler = handler;
      this.key = key;
      this.authority = authority;
      this.paths = paths;
      this.checks = checks;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      ChannelHandlerContext h2 = ctx.pipeline().context(handler);
      Http2Connection connection = handler.connection();
      // A large connection window: the streams' windows are what matters.
      connection.local().flowController().incrementWindowSize(connection.connectionStream(), 64 << 20);
      for (int i = 0; i < checks.size(); i++) {
        int id = connection.local().incrementAndGetNextStreamId();
        Http2Headers headers =
            new DefaultHttp2Headers().method("GET").scheme("http").authority(authority).path(paths.get(i));
        handler.encoder().writeHeaders(h2, id, headers, 0, true, h2.newPromise());
        connection.stream(id).setProperty(key, checks.get(i));
      }
      ctx.channel().flush();
      ctx.fireChannelActive();
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
