package io.herald.http;

import io.herald.history.EventId;
import io.herald.sse.SseEncoder;
import io.herald.sse.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The HTTP/2 design choice, measured: one event written to every stream of one connection, then
 * one flush (unless said otherwise), either
 *
 * <ul>
 *   <li>{@code connection} — at the connection level, as Herald does ({@link Http2EventsHandler}):
 *       an {@link Http2ConnectionHandler} and, per stream, Herald's own {@link Http2EventStream}
 *       ({@code Http2ConnectionEncoder.writeData} of a retained slice of the shared event),
 *   <li>{@code connection-flush-each} — the same, flushed once per written stream, as Herald did
 *       before {@link CoalescedFlush} folded a batch's flushes into one per connection (all but
 *       the first of those flushes find nothing to write here, where no system call is made;
 *       each also runs EmbeddedChannel's pending-task check, which a socket channel does not), or
 *   <li>{@code multiplex} — a child channel per stream ({@link Http2FrameCodecBuilder} + {@link
 *       Http2MultiplexHandler}): a {@link DefaultHttp2DataFrame} around the same retained slice,
 *       written to each {@link Http2StreamChannel} through its own pipeline.
 * </ul>
 *
 * <p>All run on a server-side {@link DiscardingChannel} fed, as a client would, a preface,
 * SETTINGS with the largest initial window, a connection WINDOW_UPDATE to the largest window,
 * and one GET per stream; response HEADERS go out at setup. The window is topped up with
 * WINDOW_UPDATEs as the benchmark spends it, so no write ever waits for flow control, and the
 * write-buffer water mark is raised so the channel never turns unwritable mid-flush (this
 * measures the CPU cost of the write path, not backpressure). Setup checks that one operation
 * really puts every DATA frame on the wire and tear-down that every operation did.
 *
 * <p>The score is per event (all streams); divide by {@code streams} for the cost per stream
 * write. Setup also prints the heap retained per open stream (after GC, rough: pooled buffers
 * are off-heap and not counted).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Http2FanoutBenchmark {
  /** About 100 bytes of event-stream text with the id and event lines. */
  private static final String DATA = "{\"seq\":123456,\"sent\":1700000000000123,\"text\":\"hello\"}";

  private static final int FRAME_HEADER_BYTES = 9;
  private static final long REFILL_AT = 1L << 30;

  @Param({"100", "1000"})
  public int streams;

  @Param({"connection", "connection-flush-each", "multiplex"})
  public String design;

  private DiscardingChannel server;
  private Http2ClientFrames client;
  private Fanout fanout;
  private SseEvent event;
  private int payloadBytes;
  private long connectionWindowSpent;
  private long streamWindowSpent;
  private long operations;
  private long bytesAtStart;

  @Setup
  public void setUp() {
    event =
        SseEncoder.encode(
            PooledByteBufAllocator.DEFAULT, 1, new EventId(1_700_000_000_000L, 42), "demo", "tick", DATA, 0);
    ByteBuf payload = event.payload();
    payloadBytes = payload.readableBytes();
    payload.release();

    long heapBefore = usedHeapAfterGc();
    // Netty refuses streams past 100 unless told otherwise; Herald sets its limit explicitly too.
    Http2Settings settings = Http2Settings.defaultSettings().maxConcurrentStreams(streams);
    fanout =
        switch (design) {
          case "connection" -> new ConnectionLevel(settings, false);
          case "connection-flush-each" -> new ConnectionLevel(settings, true);
          case "multiplex" -> new ChildChannels(settings);
          default -> throw new IllegalArgumentException("unknown design " + design);
        };
    server = new DiscardingChannel(new LocalServerChannel());
    server.config().setWriteBufferWaterMark(new WriteBufferWaterMark(32 << 20, 64 << 20));
    server.pipeline().addLast(fanout.handlers());
    client = new Http2ClientFrames();
    server.writeInbound(
        client.preface(new Http2Settings().initialWindowSize(Http2CodecUtil.MAX_INITIAL_WINDOW_SIZE)));
    server.writeInbound(
        client.windowUpdate(0, Http2CodecUtil.MAX_INITIAL_WINDOW_SIZE - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
    Http2Headers request =
        new DefaultHttp2Headers().method("GET").scheme("http").authority("localhost").path("/events?topic=demo");
    server.writeInbound(client.requests(streams, request));
    server.runPendingTasks();
    server.checkException();
    if (fanout.streams() != streams) {
      throw new IllegalStateException(fanout.streams() + " of " + streams + " streams opened");
    }
    long heapAfter = usedHeapAfterGc();
    System.out.printf(
        "%n%s, %d streams: about %d bytes of heap retained per open stream%n",
        design, streams, (heapAfter - heapBefore) / streams);

    long before = server.bytesOut();
    writeToEveryStream();
    long written = server.bytesOut() - before;
    if (written < (long) streams * (FRAME_HEADER_BYTES + payloadBytes)) {
      throw new IllegalStateException("one event to " + streams + " streams wrote only " + written + " bytes");
    }
    System.out.printf(
        "%s: one event (%d-byte DATA payload) to %d streams wrote %d bytes%n",
        design, payloadBytes, streams, written);
    operations = 0;
    bytesAtStart = server.bytesOut();
  }

  @Benchmark
  public void writeToEveryStream() {
    fanout.write(event);
    fanout.flush(server);
    operations++;
    connectionWindowSpent += (long) streams * payloadBytes;
    streamWindowSpent += payloadBytes;
    if (connectionWindowSpent >= REFILL_AT) {
      refillWindows();
    }
  }

  /** Gives back the window spent, as a reading client would, before it can stall a write. */
  private void refillWindows() {
    server.writeInbound(client.windowUpdate(0, (int) connectionWindowSpent));
    connectionWindowSpent = 0;
    if (streamWindowSpent >= REFILL_AT) {
      for (int i = 0; i < streams; i++) {
        server.writeInbound(client.windowUpdate(Http2ClientFrames.streamId(i), (int) streamWindowSpent));
      }
      streamWindowSpent = 0;
    }
  }

  @TearDown
  public void tearDown() {
    long expected = operations * streams * (FRAME_HEADER_BYTES + payloadBytes);
    long written = server.bytesOut() - bytesAtStart;
    long blocked = fanout.blockedWrites();
    server.finishAndReleaseAll();
    client.close();
    event.release();
    if (written < expected) {
      throw new IllegalStateException("wrote " + written + " bytes, expected at least " + expected);
    }
    if (blocked != 0) {
      throw new IllegalStateException(blocked + " writes found their stream not writable");
    }
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static Http2Headers ok() {
    return new DefaultHttp2Headers()
        .status("200")
        .set("content-type", "text/event-stream; charset=utf-8")
        .set("cache-control", "no-cache, no-transform");
  }

  /** One way of writing an event to every open stream of the connection. */
  private interface Fanout {
    ChannelHandler[] handlers();

    int streams();

    /** Writes the event to every stream, without flushing. */
    void write(SseEvent event);

    /** Flushes what {@link #write} wrote: once for the connection unless a design says otherwise. */
    default void flush(Channel connection) {
      connection.flush();
    }

    /** Writes made while a stream was not writable: must stay 0, or flow control interfered. */
    long blockedWrites();
  }

  /** Herald's design: the connection handler's encoder, one {@link Http2EventStream} per stream. */
  private static final class ConnectionLevel implements Fanout {
    private final List<Http2EventStream> streams = new ArrayList<>();
    private final Http2Settings settings;
    private final boolean flushEach;
    private Http2ConnectionHandler handler;

    ConnectionLevel(Http2Settings settings, boolean flushEach) {
      this.settings = settings;
      this.flushEach = flushEach;
    }

    @Override
    public ChannelHandler[] handlers() {
      handler =
          new Http2ConnectionHandlerBuilder()
              .server(true)
              .initialSettings(settings)
              .frameListener(
                  new Http2FrameAdapter() {
                    @Override
                    public void onHeadersRead(
                        ChannelHandlerContext ctx,
                        int streamId,
                        Http2Headers headers,
                        int padding,
                        boolean endStream) {
                      open(ctx, streamId);
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
                        boolean endStream) {
                      open(ctx, streamId);
                    }
                  })
              .build();
      return new ChannelHandler[] {handler};
    }

    private void open(ChannelHandlerContext ctx, int streamId) {
      handler.encoder().writeHeaders(ctx, streamId, ok(), 0, false, ctx.newPromise());
      streams.add(new Http2EventStream(ctx, handler.encoder(), handler.connection().stream(streamId), new CoalescedFlush(ctx.channel())));
    }

    @Override
    public int streams() {
      return streams.size();
    }

    @Override
    public void write(SseEvent event) {
      for (int i = 0; i < streams.size(); i++) {
        streams.get(i).writeEvent(event);
      }
    }

    @Override
    public void flush(Channel connection) {
      if (!flushEach) {
        connection.flush();
        return;
      }
      for (int i = 0; i < streams.size(); i++) {
        connection.flush(); // one flush per stream, as before CoalescedFlush
      }
    }

    @Override
    public long blockedWrites() {
      long blocked = 0;
      for (Http2EventStream stream : streams) {
        blocked += stream.queuedWrites();
      }
      return blocked;
    }
  }

  /**
   * The alternative: a child channel per stream. Writability is checked per write, as any event
   * stream must (Herald's {@link Http2EventStream} does the same in the other design).
   */
  private static final class ChildChannels implements Fanout {
    private final List<Channel> children = new ArrayList<>();
    private final Http2Settings settings;
    private long writesWhileBlocked;

    ChildChannels(Http2Settings settings) {
      this.settings = settings;
    }

    @Override
    public ChannelHandler[] handlers() {
      ChannelInitializer<Http2StreamChannel> perStream =
          new ChannelInitializer<>() {
            @Override
            protected void initChannel(Http2StreamChannel child) {
              child.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                  if (msg instanceof Http2HeadersFrame) {
                    children.add(ctx.channel());
                    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(ok()));
                  }
                  ReferenceCountUtil.release(msg);
                }
              });
            }
          };
      return new ChannelHandler[] {
        Http2FrameCodecBuilder.forServer().initialSettings(settings).build(), new Http2MultiplexHandler(perStream)
      };
    }

    @Override
    public int streams() {
      return children.size();
    }

    @Override
    public void write(SseEvent event) {
      for (int i = 0; i < children.size(); i++) {
        Channel child = children.get(i);
        if (!child.isWritable()) {
          writesWhileBlocked++;
        }
        child.write(new DefaultHttp2DataFrame(event.payload(), false), child.voidPromise());
      }
    }

    @Override
    public long blockedWrites() {
      return writesWhileBlocked;
    }
  }
}
