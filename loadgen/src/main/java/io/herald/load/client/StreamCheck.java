package io.herald.load.client;

import io.herald.load.measure.EventClock;
import io.herald.load.measure.EventFields;
import io.herald.load.measure.SequenceCheck;
import io.herald.load.sse.SseStreamParser;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * What one stream received, whatever carried it (an HTTP/1.1 connection or an HTTP/2 stream)
 * and however often it reconnected: its event-stream parser, the sequence check, latency
 * recording, and whether it became ready or failed. Lives as long as the run; used only on its
 * event loop (fixed when it is made), which every connection carrying it is registered on.
 */
public final class StreamCheck implements SseStreamParser.Sink {
  /** How the stream's current carrier closes it and opens it again, resuming after an id. */
  interface Carrier {
    /** Closes the current stream and opens a new one with {@code Last-Event-ID: lastEventId}. */
    void resume(String lastEventId);

    /** Opens a new stream with {@code Last-Event-ID: lastEventId} (null: none); the current one is gone. */
    void reopen(String lastEventId);

    /** {@code --storm}: closes the current stream without opening another; {@link #reopen} follows. */
    void leave();
  }

  private final Streams streams;
  private final EventLoop loop;
  private final SingleWriterRecorder latency;
  private final SequenceCheck sequence = new SequenceCheck();
  private final SseStreamParser parser = new SseStreamParser(this);
  private final long startNanos = System.nanoTime();
  private Carrier carrier;
  private boolean ready;
  private boolean failed;
  private boolean resuming;
  private boolean dropped;
  private long retryMillis = -1; // the server's last retry: field
  /**
   * When the bytes being parsed were read ({@link EventClock} micros), taken at the first event
   * they complete; -1 between reads. Every event completed by one read arrived at that read: one
   * clock call per read, not per event, when a read carries many events.
   */
  private long readMicros = -1;
  /** Reads of this stream (HTTP/2: DATA frames) so far; read by the report once the loops are done. */
  private long reads;

  /**
   * @param loop the event loop every connection of this stream uses
   * @param latency the recorder of {@code loop}: one writer per recorder
   */
  public StreamCheck(Streams streams, EventLoop loop, SingleWriterRecorder latency) {
    this.streams = streams;
    this.loop = loop;
    this.latency = latency;
  }

  public SequenceCheck sequence() {
    return sequence;
  }

  public EventLoop loop() {
    return loop;
  }

  SseStreamParser parser() {
    return parser;
  }

  /** The stream is now carried by {@code carrier}; a partly read event of an earlier one is gone. */
  void carriedBy(Carrier carrier) {
    this.carrier = carrier;
    parser.reset();
  }

  /**
   * Churn: closes the stream and reconnects it with {@code Last-Event-ID} set to the last id it
   * received, as a browser's {@code EventSource} does. Callable from any thread; does nothing
   * unless the stream is open and has received an event with an id (without one a reconnect
   * could not resume, and the events published meanwhile would be lost by the tool, not the
   * server).
   */
  public void churn() {
    loop.execute(
        () -> {
          String lastEventId = parser.lastEventId();
          if (!ready || failed || resuming || carrier == null || lastEventId == null) {
            return;
          }
          resuming = true;
          carrier.resume(lastEventId);
        });
  }

  /**
   * {@code --storm}, on this stream's loop: closes the stream, to be reopened by {@link
   * #comeBack}. False (and nothing done) unless it is open, not resuming already, and has an event
   * id to resume after.
   */
  boolean leave() {
    if (!ready || failed || resuming || dropped || carrier == null || parser.lastEventId() == null) {
      return false;
    }
    resuming = true; // its opening comment will count as a reconnect
    carrier.leave();
    return true;
  }

  /** {@code --storm}, on this stream's loop: reopens a stream that {@link #leave} closed, with its last id. */
  void comeBack() {
    if (!failed && streams.measuring()) {
      carrier.reopen(parser.lastEventId());
    }
  }

  /** Body bytes of the stream, transfer framing already removed: one read's worth. */
  void feed(ByteBuf body) {
    parser.feed(body);
    readDone();
  }

  /** The bytes of one read are parsed: the next event comes from a later read. */
  void readDone() {
    readMicros = -1;
    reads++;
  }

  /** Reads of this stream's bytes so far (with HTTP/2, DATA frames): deliveries per read is what a read costs. */
  public long reads() {
    return reads;
  }

  /**
   * {@code --reconnect}: an open stream (or the reopening of one) ended for {@code cause}; it
   * reopens after the server's {@code retry:} delay with the last id it received. True when it
   * will; false when this is a failure (no {@code --reconnect}, the run is over, or the stream
   * never opened).
   */
  private boolean drop(String cause) {
    Drops drops = streams.drops();
    if (drops == null || failed || !(ready || dropped) || !streams.measuring() || carrier == null) {
      return false;
    }
    if (!dropped) { // a failed reopening is the same drop, not a new one
      dropped = true;
      if (ready) {
        streams.closedWhileOpen(); // open until now, a churn's resume included
      }
      drops.dropped(cause);
    }
    resuming = false;
    long delay = retryMillis >= 0 ? retryMillis : drops.defaultDelayMillis();
    Carrier gone = carrier;
    loop.schedule(
        () -> {
          if (streams.measuring() && carrier == gone) {
            gone.reopen(parser.lastEventId());
          }
        },
        delay,
        java.util.concurrent.TimeUnit.MILLISECONDS);
    return true;
  }

  /** The stream failed; counted once, by cause. */
  void fail(String cause) {
    if (drop(cause)) {
      return;
    }
    if (!failed) {
      failed = true;
      streams.failed(cause, this, ready);
    }
  }

  /** A connection for this stream could not be made. */
  void connectFailed(Throwable cause) {
    if (drop(Streams.connectCause(cause))) {
      return;
    }
    if (!failed) {
      failed = true;
      streams.connectFailed(cause, ready);
    }
  }

  /** The stream ended; unless it failed already, that counts as closed by the server. */
  void ended() {
    if (drop("closed-by-server")) {
      return;
    }
    if (!failed) {
      failed = true;
      streams.closed(this, ready);
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
    if (t >= streams.latencyFromMicros()) { // an event due during the warm-up is checked, not timed
      if (readMicros < 0) {
        readMicros = EventClock.nowMicros();
      }
      latency.recordValue(Math.max(0, readMicros - t));
    }
  }

  @Override
  public void onComment() {
    if (!ready) {
      ready = true;
      streams.ready(this, (System.nanoTime() - startNanos) / 1000);
    } else if (dropped) {
      dropped = false;
      streams.reopened();
      streams.drops().back();
    } else if (resuming) {
      resuming = false;
      streams.reconnected();
    }
  }

  @Override
  public void onRetry(long millis) {
    retryMillis = millis;
  }
}
