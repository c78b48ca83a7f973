package io.herald.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An HTTP/2 client (prior knowledge, plaintext) built on Netty's own HTTP/2 codec, for tests
 * that need control a browser does not give: many streams on one connection, a stream whose
 * flow-control window is never returned (a stalled reader), and floods of frames.
 */
public final class H2TestClient implements AutoCloseable {
  /** One stream as the client saw it. */
  public static final class Stream {
    public final int id;
    private final StringBuilder body = new StringBuilder();
    private volatile int status;
    private volatile Http2Headers headers;
    private volatile boolean ended;
    private volatile long resetCode = -1;
    private volatile boolean stalled;

    Stream(int id) {
      this.id = id;
    }

    public int status() {
      return status;
    }

    /** A header of the response head, or null. */
    public String header(String name) {
      Http2Headers head = headers;
      CharSequence value = head == null ? null : head.get(name.toLowerCase(java.util.Locale.ROOT));
      return value == null ? null : value.toString();
    }

    public synchronized String body() {
      return body.toString();
    }

    public boolean isEnded() {
      return ended;
    }

    /** The RST_STREAM error code the server sent, or -1. */
    public long resetCode() {
      return resetCode;
    }

    /** The events received so far (the server writes LF line ends). */
    public synchronized List<SseTestClient.Event> events() {
      List<SseTestClient.Event> events = new ArrayList<>();
      String lastId = "";
      for (String block : body.toString().split("\n\n", -1)) {
        String type = "message";
        StringBuilder data = null;
        for (String line : block.split("\n")) {
          if (line.startsWith("id: ")) {
            lastId = line.substring(4);
          } else if (line.startsWith("event: ")) {
            type = line.substring(7);
          } else if (line.startsWith("data:")) {
            String value = line.startsWith("data: ") ? line.substring(6) : line.substring(5);
            data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
          }
        }
        if (data != null && body.indexOf(block + "\n\n") >= 0) {
          events.add(new SseTestClient.Event(lastId, type, data.toString()));
        }
      }
      return events;
    }

    synchronized void append(String text) {
      body.append(text);
    }
  }

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;
  private final Http2ConnectionHandler handler;
  private final Map<Integer, Stream> streams = new ConcurrentHashMap<>();
  private final CountDownLatch goAway = new CountDownLatch(1);
  private volatile long goAwayCode = -1;

  private H2TestClient(int port, int initialWindow) throws InterruptedException {
    Http2Connection connection = new DefaultHttp2Connection(false);
    handler =
        new Http2ConnectionHandlerBuilder()
            .connection(connection)
            .initialSettings(Http2Settings.defaultSettings().initialWindowSize(initialWindow))
            .frameListener(new Listener())
            .gracefulShutdownTimeoutMillis(0) // closing the test client must not wait for streams
            .build();
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(handler);
                  }
                })
            .connect("127.0.0.1", port)
            .sync()
            .channel();
    // A large connection window, so a stalled stream (whose bytes are never handed back) cannot
    // stall its siblings through the connection-level window.
    onLoopUnchecked(
        () -> {
          handler
              .connection()
              .local()
              .flowController()
              .incrementWindowSize(handler.connection().connectionStream(), 64 << 20);
          channel.flush();
          return null;
        });
  }

  private void onLoopUnchecked(Callable<Void> task) {
    try {
      onLoop(task);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static H2TestClient connect(int port) throws InterruptedException {
    return new H2TestClient(port, 1 << 20);
  }

  /** A client whose streams each get {@code initialWindow} bytes before the server must wait. */
  public static H2TestClient connect(int port, int initialWindow) throws InterruptedException {
    return new H2TestClient(port, initialWindow);
  }

  private <T> T onLoop(Callable<T> task) throws Exception {
    return channel.eventLoop().submit(task).get(10, TimeUnit.SECONDS);
  }

  private ChannelHandlerContext ctx() {
    return channel.pipeline().context(handler);
  }

  /** Opens a {@code GET} stream. */
  public Stream get(String path, Map<String, String> headers) throws Exception {
    return request("GET", path, headers, null, false);
  }

  /** Opens a stream whose DATA the client never acknowledges: its window runs out. */
  public Stream getStalled(String path) throws Exception {
    return request("GET", path, Map.of(), null, true);
  }

  /** A request with any method and extra headers, ended at once (no body). */
  public Stream send(String method, String path, Map<String, String> headers) throws Exception {
    return request(method, path, headers, null, false);
  }

  public Stream post(String path, String body) throws Exception {
    return request("POST", path, Map.of(), body, false);
  }

  private Stream request(String method, String path, Map<String, String> extra, String body, boolean stalled)
      throws Exception {
    return onLoop(
        () -> {
          int id = handler.connection().local().incrementAndGetNextStreamId();
          Stream stream = new Stream(id);
          stream.stalled = stalled;
          streams.put(id, stream);
          Http2Headers headers =
              new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("127.0.0.1");
          extra.forEach((k, v) -> headers.set(k.toLowerCase(java.util.Locale.ROOT), v));
          handler.encoder().writeHeaders(ctx(), id, headers, 0, body == null, ctx().newPromise());
          if (body != null) {
            handler
                .encoder()
                .writeData(ctx(), id, io.netty.buffer.Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), 0, true, ctx().newPromise());
          }
          channel.flush();
          return stream;
        });
  }

  /** Opens a request stream with headers only and leaves it open (its body never comes). */
  public Stream request(String method, String path) throws Exception {
    return onLoop(
        () -> {
          int id = handler.connection().local().incrementAndGetNextStreamId();
          Stream stream = new Stream(id);
          streams.put(id, stream);
          handler
              .encoder()
              .writeHeaders(
                  ctx(),
                  id,
                  new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("x"),
                  0,
                  false,
                  ctx().newPromise());
          channel.flush();
          return stream;
        });
  }

  /** Sends {@code count} empty DATA frames on a stream: the empty-frame flood. */
  public void emptyDataFlood(Stream stream, int count) throws Exception {
    onLoop(
        () -> {
          for (int i = 0; i < count && channel.isActive(); i++) {
            handler.encoder().frameWriter().writeData(ctx(), stream.id, io.netty.buffer.Unpooled.EMPTY_BUFFER, 0, false, ctx().newPromise());
          }
          channel.flush();
          return null;
        });
  }

  /** Waits for {@code condition} about the streams, failing after the timeout. */
  public void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; streams: " + streams.values().stream().map(s -> s.id + ":" + s.status + ":" + s.resetCode + ":" + s.events().size()).toList());
      }
      synchronized (this) {
        wait(5);
      }
    }
  }

  /** Waits until the server sends GOAWAY or closes the connection; returns the GOAWAY code. */
  public long awaitGoAwayOrClose(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (goAway.getCount() > 0 && channel.isActive()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the server neither sent GOAWAY nor closed within " + timeout);
      }
      goAway.await(5, TimeUnit.MILLISECONDS);
    }
    return goAwayCode;
  }

  /** Stops reading the socket altogether: the whole connection stalls. */
  public void stopReading() throws Exception {
    onLoop(
        () -> {
          channel.config().setAutoRead(false);
          return null;
        });
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  private final class Listener extends Http2FrameAdapter {
    @Override
    public void onHeadersRead(
        ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endStream) {
      Stream stream = streams.get(streamId);
      if (stream != null) {
        if (headers.status() != null) {
          stream.headers = headers;
          stream.status = Integer.parseInt(headers.status().toString());
        }
        stream.ended |= endStream;
      }
    }

    @Override
    public void onHeadersRead(
        ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
        short weight, boolean exclusive, int padding, boolean endStream) {
      onHeadersRead(ctx, streamId, headers, padding, endStream);
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
      Stream stream = streams.get(streamId);
      int size = data.readableBytes() + padding;
      if (stream == null) {
        return size;
      }
      stream.append(data.toString(StandardCharsets.UTF_8));
      stream.ended |= endOfStream;
      // A stalled stream never hands its window back: the server must stop sending on it.
      return stream.stalled ? 0 : size;
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
      Stream stream = streams.get(streamId);
      if (stream != null) {
        stream.resetCode = errorCode;
      }
    }

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
      goAwayCode = errorCode;
      goAway.countDown();
    }
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
