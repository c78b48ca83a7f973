package io.herald.http;

import io.herald.history.EventId;
import io.herald.sse.DisconnectReason;
import io.herald.sse.ReplaySource;
import io.herald.sse.SseEncoder;
import io.herald.sse.SseEvent;
import io.herald.sse.Subscriber;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
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
 * Cost of delivering one encoded event to N HTTP/1.1 subscribers on one event loop: per
 * subscriber the real {@link Subscriber#offer} (position and queue-bound checks) and {@link
 * Http1EventStream#writeEvent} (a retained duplicate of the shared chunk, written at the {@link
 * RawWriteAnchor}), then one flush per written subscriber — the loop of {@code
 * LoopDispatcher.deliver} and its flush pass, copied here because the dispatcher is driven by its
 * own event loop and EmbeddedChannels each bring their own.
 *
 * <p>Each connection is a {@link DiscardingChannel}: writes go through its real outbound buffer
 * and are released at the point a socket would hand them to the kernel, so no syscall is
 * counted. Every operation encodes one new event (about 100-200 ns, see {@code
 * SseEncoderBenchmark}), because a subscriber takes each position only once. The score is per
 * event; divide by {@code connections} for the cost per delivery.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DeliveryBenchmark {
  private static final String TOPIC = "demo";
  private static final String DATA = "{\"seq\":123456,\"sent\":1700000000000123,\"text\":\"hello\"}";

  @Param({"100", "1000", "10000"})
  public int connections;

  private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
  private final EventId id = new EventId(1_700_000_000_000L, 42);
  private DiscardingChannel[] channels;
  private Subscriber[] subscribers;
  private final List<Subscriber> dirty = new ArrayList<>();
  private long position;

  @Setup
  public void setUp() {
    Subscriber.Limits limits = new Subscriber.Limits(1024, 4L << 20, Long.MAX_VALUE, Long.MAX_VALUE);
    channels = new DiscardingChannel[connections];
    subscribers = new Subscriber[connections];
    for (int i = 0; i < connections; i++) {
      channels[i] = new DiscardingChannel(RawWriteAnchor.INSTANCE);
      ChannelHandlerContext raw = channels[i].pipeline().context(RawWriteAnchor.INSTANCE);
      subscribers[i] = new Subscriber(Http1EventStream.on(raw), List.of(TOPIC), limits, LIVE_ONLY);
      subscribers[i].start(NO_OWNER, null, System.nanoTime());
    }
    deliver();
    long bytes = 0;
    for (DiscardingChannel channel : channels) {
      bytes += channel.bytesOut();
    }
    if (bytes < (long) connections * DATA.length()) {
      throw new IllegalStateException("events did not reach the channels: " + bytes + " bytes out");
    }
  }

  @Benchmark
  public int deliver() {
    SseEvent event = SseEncoder.encode(alloc, ++position, id, TOPIC, "tick", DATA, 0);
    long now = System.nanoTime();
    int delivered = 0;
    try {
      for (int i = subscribers.length - 1; i >= 0; i--) {
        Subscriber subscriber = subscribers[i];
        if (subscriber.offer(event, now)) {
          delivered++;
          if (subscriber.markDirty()) {
            dirty.add(subscriber);
          }
        }
      }
    } finally {
      event.release();
    }
    for (int i = 0; i < dirty.size(); i++) {
      dirty.get(i).flush();
    }
    dirty.clear();
    if (delivered != subscribers.length) {
      throw new IllegalStateException("delivered to " + delivered + " of " + subscribers.length);
    }
    return delivered;
  }

  @TearDown
  public void tearDown() {
    for (DiscardingChannel channel : channels) {
      channel.finishAndReleaseAll();
    }
  }

  /** Every subscriber goes live at once: nothing to replay. */
  private static final ReplaySource LIVE_ONLY =
      new ReplaySource() {
        @Override
        public Start start(String lastEventId) {
          return new Start(-1, 0, false, null);
        }

        @Override
        public Step replay(
            long from, Predicate<String> topics, int maxEvents, long maxBytes, List<SseEvent> out) {
          throw new UnsupportedOperationException("live only");
        }
      };

  private static final Subscriber.Owner NO_OWNER =
      new Subscriber.Owner() {
        @Override
        public void remove(Subscriber subscriber) {}

        @Override
        public void disconnected(DisconnectReason reason) {
          throw new IllegalStateException("a subscriber was cut off: " + reason);
        }
      };
}
