package io.herald.load.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.SingleWriterRecorder;
import org.junit.jupiter.api.Test;

class StreamCheckTest {
  private static void feed(StreamCheck check, String text) {
    check.feed(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
  }

  @Test
  void eventsDueDuringTheWarmupAreCheckedForLossButNotTimed() {
    Streams streams = new Streams();
    streams.recordLatencyFrom(1_000);
    SingleWriterRecorder latency = new SingleWriterRecorder(3);
    StreamCheck check = new StreamCheck(streams, null, latency);
    feed(check, ": herald\n\n");
    feed(check, "id: 1-0\ndata: {\"s\":1,\"t\":400}\n\n");
    feed(check, "id: 2-0\ndata: {\"s\":2,\"t\":999}\n\n");
    feed(check, "id: 4-0\ndata: {\"s\":4,\"t\":1000}\n\n");
    feed(check, "id: 5-0\ndata: {\"s\":5,\"t\":2000}\n\n");
    assertEquals(4, check.sequence().received());
    assertEquals(1, check.sequence().lost(5), "3 is missing");
    assertEquals(2, latency.getIntervalHistogram().getTotalCount(), "only the events due from 1000 µs on");
  }
}
