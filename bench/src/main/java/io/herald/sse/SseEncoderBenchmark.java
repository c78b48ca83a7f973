package io.herald.sse;

import io.herald.history.EventId;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of encoding one event (id, type, a JSON payload) into its shared, chunk-framed buffer —
 * paid once per published event, under the publishing lock.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SseEncoderBenchmark {
  @Param({"small", "multiline"})
  public String shape;

  private String data;
  private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
  private final EventId id = new EventId(1_700_000_000_000L, 42);

  @Setup
  public void setUp() {
    data =
        shape.equals("small")
            ? "{\"seq\":123456,\"sent\":1700000000000123,\"text\":\"hello, world\"}"
            : "line one\nline two\r\nline three\rline four with some more text in it";
  }

  @Benchmark
  public int encode() {
    SseEvent event = SseEncoder.encode(alloc, 1, id, "demo", "notification", data, 0);
    int size = event.size();
    event.release();
    return size;
  }
}
