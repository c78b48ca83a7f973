package io.herald.ingest;

import io.herald.history.EventId;
import io.herald.sse.SseEncoder;
import io.herald.sse.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The ingest path of one event up to the publishing lock, and its encoding: 100 lines shaped like
 * herald-load's ({@code {"topic":"u123","data":{"s":…,"t":…,"p":"…"}}}) arrive in one read, are
 * split and decoded by the real {@link IngestLineDecoder} (in an {@link EmbeddedChannel}), parsed
 * by {@link EventJsonParser#parseLine} and encoded once by {@link SseEncoder#encode}. Score and
 * allocation ({@code -prof gc}) are per event. The token-streaming scenario runs this 100,000
 * times a second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IngestLineBenchmark {
  private static final int LINES = 100;

  private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
  private EmbeddedChannel channel;
  private ByteBuf lines;
  private long position;

  @Setup
  public void setUp() {
    channel = new EmbeddedChannel(new IngestLineDecoder(1 << 20));
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < LINES; i++) {
      text.append("{\"topic\":\"u").append(100 + i).append("\",\"data\":{\"s\":").append(1000 + i)
          .append(",\"t\":").append(1_700_000_000_000_000L + i).append(",\"p\":\"0123456789abcdef\"}}\n");
    }
    lines = alloc.directBuffer().writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Benchmark
  @OperationsPerInvocation(LINES)
  public void decodeParseEncode(Blackhole hole) {
    channel.writeInbound(lines.retainedDuplicate());
    IngestLine line;
    while ((line = channel.readInbound()) != null) {
      PublishRequest request = EventJsonParser.parseLine(line.text());
      SseEvent event =
          SseEncoder.encode(
              alloc, ++position, new EventId(1_700_000_000_000L, position), request.topic(),
              request.type(), request.data(), 0L);
      hole.consume(event.idText());
      event.release();
    }
  }

  @TearDown
  public void tearDown() {
    channel.finishAndReleaseAll();
    lines.release();
  }
}
