package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.IngestTestClient;
import io.herald.testing.SseTestClient;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Thousands of streams come back at once with an old {@code Last-Event-ID} (a deploy, a network
 * blip): each replays a long stretch of history while live events keep flowing. Herald must give
 * every one of them exactly what it missed, keep a stream that never left receiving, and hold
 * its memory to a bound instead of buffering the replays.
 */
class ReconnectStormTest extends HeraldTest {
  /**
   * The longest the test waits without progress (no storm stream received anything new, an
   * acknowledgement or an event did not come): a hang, not a slow machine. How long the whole
   * storm takes depends on the machine and its load, and is only reported.
   */
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** Connections a storm stream may open (see {@link StormStream}). */
  private static final int ATTEMPTS = 10;
  private static final int STREAMS = 2000;
  private static final int MISSED = 200;
  private static final int LIVE = 100;
  /** Heap the storm may leave behind once every stream has caught up, after GC: 16 KiB a stream. */
  private static final long HEAP_BOUND = STREAMS * 16L * 1024;
  /** Direct memory Netty's allocator may hold at the peak of the storm. */
  private static final long DIRECT_BOUND = 256L << 20;

  /**
   * One storm stream on the test's own event loop: reads the response as lines (the {@code id:}
   * lines of whole events, which Herald never splits across chunks) and checks each id against
   * the missed ones as it arrives, keeping only a cursor, and folds the live ids (not known
   * until their acknowledgements) into an order-sensitive hash — so the test's own memory stays
   * small next to Herald's.
   *
   * <p>A connection that ends before any byte of its response (reset or closed; or a connect
   * that failed) is opened again with the same {@code Last-Event-ID}, as {@code EventSource}
   * does after a network error, up to {@link #ATTEMPTS} times, and counted. This is what a
   * storm bigger than the machine can take looks like: Herald's {@code --header-timeout} closes
   * a connection whose request it has not read in time (its event loops busy replaying to the
   * streams that came first; on a loaded machine under the paranoid leak detector, for
   * seconds), and closing it with the request unread in the socket resets it. Such a
   * connection never was a stream: nothing was sent to it, so its retry can neither lose nor
   * repeat an event. A stream that ends after its response began is a failure, never retried.
   */
  private static final class StormStream {
    private final Bootstrap bootstrap;
    private final int port;
    private final List<String> missed;
    private final String lastEventId;
    private int cursor; // on the stream's current channel's event loop
    private volatile long liveHash = 1;
    private volatile int received;
    private volatile int retries;
    private volatile String mismatch;
    private volatile Channel channel;

    StormStream(Bootstrap bootstrap, int port, List<String> missed, String lastEventId) {
      this.bootstrap = bootstrap;
      this.port = port;
      this.missed = missed;
      this.lastEventId = lastEventId;
    }

    void connect() {
      ChannelFuture connecting =
          bootstrap
              .clone()
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline().addLast(new LineBasedFrameDecoder(65536), new Attempt());
                    }
                  })
              .connect("127.0.0.1", port);
      channel = connecting.channel();
      connecting.addListener(
          (ChannelFuture f) -> {
            if (!f.isSuccess()) {
              retryOrFail("connect failed: " + f.cause());
            }
          });
    }

    private void retryOrFail(String why) {
      if (retries + 1 >= ATTEMPTS) {
        mismatch = why + " (after " + retries + " retries)";
      } else {
        retries++; // single writer: the one channel this stream has at a time
        connect();
      }
    }

    /** One connection of the stream; per channel. */
    private final class Attempt extends ChannelInboundHandlerAdapter {
      private boolean responded;
      private String failure;

      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        String request =
            "GET /events?topic=storm HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                + "Last-Event-ID: "
                + lastEventId
                + "\r\n\r\n";
        ctx.writeAndFlush(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        responded = true;
        ByteBuf line = (ByteBuf) msg;
        try {
          if (line.readableBytes() > 4 && line.getByte(line.readerIndex()) == 'i') {
            String text = line.toString(StandardCharsets.UTF_8);
            if (text.startsWith("id: ")) {
              String id = text.substring(4).trim();
              if (cursor >= missed.size()) {
                liveHash = liveHash * 31 + id.hashCode(); // the live ids are not known yet
              } else if (mismatch == null && !missed.get(cursor).equals(id)) {
                mismatch = "event " + cursor + ": got " + id + ", expected " + missed.get(cursor);
              }
              cursor++;
              received = cursor;
            }
          }
        } finally {
          line.release();
        }
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failure = cause.toString();
        ctx.close();
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        String why = failure != null ? failure : "closed by the server";
        if (responded) {
          if (mismatch == null) {
            mismatch = why + " after " + cursor + " events";
          }
        } else {
          retryOrFail(why + " before any response");
        }
      }
    }
  }

  @Test
  void thousandsResumingAtOnceReplayExactlyWhatTheyMissedWithinAMemoryBound() throws Exception {
    start(b -> b.maxStreamsPerIp(0).heartbeat(Duration.ofSeconds(30)));
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    // The storm streams' replay shares the event loops with the ingest: under the paranoid leak
    // detector (every buffer's accesses recorded) an acknowledgement can wait many seconds.
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort()).replyTimeout(WAIT);
        SseTestClient legit =
            SseTestClient.open(herald.httpPort(), "/events?topic=storm", Map.of())) {
      legit.awaitComment(c -> c.contains("herald"), WAIT);
      String resumeFrom = ingest.publish("storm", "0");
      assertEquals(resumeFrom, legit.awaitEvent(WAIT).id());
      List<String> expected = new ArrayList<>();
      StringBuilder lines = new StringBuilder();
      for (int i = 1; i <= MISSED; i++) {
        lines.append("{\"topic\":\"storm\",\"data\":\"missed event ").append(i).append("\"}\n");
      }
      ingest.pipeline(lines.toString(), MISSED).forEach(r -> expected.add(IngestTestClient.idOf(r)));
      assertEquals(expected, ids(legit.awaitEvents(MISSED, WAIT)));

      System.gc();
      long heapBefore = memory.getHeapMemoryUsage().getUsed();

      Bootstrap bootstrap =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .option(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
      List<StormStream> storm = new ArrayList<>(STREAMS);
      long started = System.nanoTime();
      for (int i = 0; i < STREAMS; i++) {
        StormStream stream = new StormStream(bootstrap, herald.httpPort(), expected, resumeFrom);
        storm.add(stream);
        stream.connect();
      }
      // Live events while the storm replays: the storm streams must get them after their
      // replay, the legitimate stream as they come.
      AtomicLong directPeak = new AtomicLong();
      List<String> legitReceived = java.util.Collections.synchronizedList(new ArrayList<>());
      CompletableFuture<List<String>> live =
          CompletableFuture.supplyAsync(
              () -> {
                List<String> ids = new ArrayList<>();
                try {
                  for (int i = 1; i <= LIVE; i++) {
                    ids.add(ingest.publish("storm", "\"live " + i + "\""));
                    directPeak.accumulateAndGet(directMemory(), Math::max);
                  }
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
                return ids;
              });
      // The stream that never left is read while the storm goes on, each live event as it comes:
      // it must get every one, in order. The longest wait between two of them is only reported
      // (it depends on the machine); a stall of 30 s fails the client's read (its socket timeout).
      CompletableFuture<long[]> legitGaps =
          CompletableFuture.supplyAsync(
              () -> {
                List<String> ids = new ArrayList<>();
                long previous = System.nanoTime();
                long maxGap = 0;
                try {
                  for (int i = 0; i < LIVE; i++) {
                    ids.add(legit.awaitEvent(WAIT).id());
                    long now = System.nanoTime();
                    maxGap = Math.max(maxGap, now - previous);
                    previous = now;
                  }
                } catch (InterruptedException e) {
                  throw new RuntimeException(e);
                }
                legitReceived.addAll(ids);
                return new long[] {maxGap};
              });
      List<String> liveIds = live.join(); // each acknowledgement within WAIT (replyTimeout)
      long legitMaxGapMillis = legitGaps.join()[0] / 1_000_000;
      assertEquals(liveIds, legitReceived, "the legitimate stream receives every live event, in order");
      long liveHash = 1;
      for (String id : liveIds) {
        liveHash = liveHash * 31 + id.hashCode();
      }

      int total = MISSED + LIVE;
      awaitProgress(
          storm,
          total,
          () -> directPeak.accumulateAndGet(directMemory(), Math::max),
          "every storm stream to replay " + MISSED + " and receive " + LIVE + " live events");
      long millis = (System.nanoTime() - started) / 1_000_000;
      for (StormStream stream : storm) {
        assertEquals(null, stream.mismatch);
        assertEquals(total, stream.received);
        assertEquals(liveHash, stream.liveHash, "the live events, in order, after the replay");
      }
      assertEquals(STREAMS + 1, herald.server().stats().streams(), "no stream was cut");
      int retried = storm.stream().mapToInt(s -> s.retries).sum();
      long streamsRetried = storm.stream().filter(s -> s.retries > 0).count();

      System.gc();
      long heapGrowth = memory.getHeapMemoryUsage().getUsed() - heapBefore;
      System.out.printf(
          "reconnect storm: %d streams replayed %d + %d live events each in %d ms; %d connections"
              + " of %d streams ended before their response and were opened again; the stream"
              + " that never left waited at most %d ms for its next live event; heap growth"
              + " after GC %d KiB (bound %d KiB), Netty direct memory peak %d KiB (bound %d KiB)%n",
          STREAMS, MISSED, LIVE, millis, retried, streamsRetried, legitMaxGapMillis, heapGrowth >> 10,
          HEAP_BOUND >> 10, directPeak.get() >> 10, DIRECT_BOUND >> 10);
      assertTrue(heapGrowth < HEAP_BOUND, "heap grew by " + heapGrowth + " bytes");
      assertTrue(directPeak.get() < DIRECT_BOUND, "direct memory peaked at " + directPeak.get());
      storm.forEach(stream -> stream.channel.close());
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /**
   * Waits until every storm stream has {@code total} events (or failed), failing only when
   * {@link #WAIT} passes with no stream receiving anything: how fast the storm goes depends on
   * the machine, a stall does not.
   */
  private static void awaitProgress(
      List<StormStream> storm, int total, Runnable sample, String what) throws InterruptedException {
    long lastSum = -1;
    long deadline = 0;
    Object monitor = new Object();
    while (true) {
      sample.run();
      long sum = 0;
      boolean done = true;
      for (StormStream stream : storm) {
        sum += stream.received + stream.retries;
        done &= stream.received >= total || stream.mismatch != null;
      }
      if (done) {
        return;
      }
      if (sum != lastSum) {
        lastSum = sum;
        deadline = System.nanoTime() + WAIT.toNanos();
      } else if (System.nanoTime() > deadline) {
        throw new AssertionError("no progress for " + WAIT + " waiting for " + what);
      }
      synchronized (monitor) {
        monitor.wait(5); // a bounded wait between checks, not a sleep to let time pass
      }
    }
  }

  private static long directMemory() {
    return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
  }

  private static List<String> ids(List<SseTestClient.Event> events) {
    return events.stream().map(SseTestClient.Event::id).toList();
  }
}
