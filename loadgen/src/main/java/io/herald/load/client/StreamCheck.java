package io.herald.load.client;

import io.herald.load.measure.EventClock;
import io.herald.load.measure.EventFields;
import io.herald.load.measure.SequenceCheck;
import io.herald.load.sse.SseStreamParser;
import io.netty.buffer.ByteBuf;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * What one stream received, whatever carried it (an HTTP/1.1 connection or an HTTP/2 stream):
 * its event-stream parser, the sequence check, latency recording, and whether it became ready
 * or failed. Used only on its connection's event loop.
 */
public final class StreamCheck implements SseStreamParser.Sink {
  private final Streams streams;
  private final SingleWriterRecorder latency;
  private final SequenceCheck sequence = new SequenceCheck();
  private final SseStreamParser parser = new SseStreamParser(this);
  private final long startNanos = System.nanoTime();
  private boolean ready;
  private boolean failed;

  public StreamCheck(Streams streams, SingleWriterRecorder latency) {
    this.streams = streams;
    this.latency = latency;
  }

  public SequenceCheck sequence() {
    return sequence;
  }

  SseStreamParser parser() {
    return parser;
  }

  /** Body bytes of the stream, transfer framing already removed. */
  void feed(ByteBuf body) {
    parser.feed(body);
  }

  /** The stream failed; counted once, by cause. */
  void fail(String cause) {
    if (!failed) {
      failed = true;
      streams.failed(cause, this);
    }
  }

  /** The stream ended; unless it failed already, that counts as closed by the server. */
  void ended() {
    if (!failed) {
      failed = true;
      streams.closed(this);
    }
  }

  @Override
  public void onEvent(byte[] data, int length, boolean namedEvent) {
    if (namedEvent) {
      streams.namedEvent();
      return;
    }
    long s = EventFields.number(data, length, 's');
    long t = EventFields.number(data, length, 't');
    if (s < 0 || t < 0) {
      streams.foreignEvent();
      return;
    }
    sequence.received(s);
    latency.recordValue(Math.max(0, EventClock.nowMicros() - t));
  }

  @Override
  public void onComment() {
    if (!ready) {
      ready = true;
      streams.ready(this, (System.nanoTime() - startNanos) / 1000);
    }
  }

  @Override
  public void onRetry(long millis) {}
}
