package io.herald.fanout;

import io.herald.history.EventHistory;
import io.herald.history.EventIdGenerator;
import io.herald.ingest.PublishRequest;
import io.herald.metrics.HeraldStats;
import io.herald.sse.EventStream;
import io.herald.sse.SseEvent;
import io.herald.sse.Subscriber;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of carrying published events from the publishing thread to the subscribers of one event
 * loop: the real {@link Broadcaster#publish} (id, encode, history append, offer into the loop's
 * SPSC queue, wake) and the real {@link LoopDispatcher} drain on a Netty NIO event loop, which
 * offers each event to every {@link Subscriber} of the topic and flushes each once.
 *
 * <p>Subscribers write into a stream that drops everything, so this isolates the fan-out machinery —
 * the cross-thread hand-off and the per-subscriber checks — from channel writes, which {@code
 * io.herald.http.DeliveryBenchmark} measures. The JMH thread is the publisher; each operation
 * waits (spinning) until the loop reports every delivery, so the figure is publish-to-delivered
 * time per event, hand-off latency included, not publisher throughput alone. The machine has
 * two cores: publisher and loop each get one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FanoutRingBenchmark {
  private static final String TOPIC = "demo";
  private static final int BATCH = 100;

  /** Subscribers of the topic on the one event loop. */
  @Param({"1", "1000"})
  public int subscribers;

  private EventLoopGroup group;
  private HeraldStats stats;
  private Broadcaster broadcaster;
  private List<PublishRequest> one;
  private List<PublishRequest> batch;
  private long expected;

  @Setup
  public void setUp() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    stats = new HeraldStats();
    broadcaster =
        new Broadcaster(
            group,
            PooledByteBufAllocator.DEFAULT,
            new EventHistory(1024, 64L << 20),
            new EventIdGenerator(System::currentTimeMillis),
            8192,
            stats);
    EventLoop loop = group.next();
    LoopDispatcher dispatcher = broadcaster.dispatcherFor(loop);
    Subscriber.Limits limits =
        new Subscriber.Limits(Integer.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
    loop.submit(
            () -> {
              for (int i = 0; i < subscribers; i++) {
                dispatcher.register(
                    new Subscriber(new NullStream(), List.of(TOPIC), limits, broadcaster), null);
              }
            })
        .sync();
    PublishRequest request =
        new PublishRequest(TOPIC, "tick", "{\"seq\":123456,\"sent\":1700000000000123,\"text\":\"hello\"}");
    one = List.of(request);
    batch = Collections.nCopies(BATCH, request);
    expected = stats.delivered();
  }

  /** One event per publish call: every event pays a wake-up of the loop. */
  @Benchmark
  public long publishOne() {
    broadcaster.publish(one);
    return awaitDelivered(subscribers);
  }

  /** A hundred events per publish call (what a busy ingest connection hands over); per event. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long publishBatch() {
    broadcaster.publish(batch);
    return awaitDelivered((long) BATCH * subscribers);
  }

  private long awaitDelivered(long deliveries) {
    expected += deliveries;
    long delivered;
    while ((delivered = stats.delivered()) < expected) {
      Thread.onSpinWait();
    }
    return delivered;
  }

  @TearDown
  public void tearDown() throws Exception {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    broadcaster.releaseHistory();
  }

  /** A subscriber's stream that accepts every event and writes nothing. */
  private static final class NullStream implements EventStream {
    @Override
    public void writeEvent(SseEvent event) {}

    @Override
    public void writeText(String text) {}

    @Override
    public void flush() {}

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public long queuedBytes() {
      return 0;
    }

    @Override
    public int queuedWrites() {
      return 0;
    }

    @Override
    public void end(String text) {}

    @Override
    public void abort() {}
  }
}
