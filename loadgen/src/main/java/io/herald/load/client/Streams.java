package io.herald.load.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Counts of the streams of a run, written from every event loop: how many are open and ready,
 * what failed and why, and how long each took to open. A stream is <em>ready</em> once its
 * opening comment arrived: the server has registered it, so it must receive everything published
 * after that.
 */
public final class Streams {
  private final LongAdder ready = new LongAdder();
  private final LongAdder open = new LongAdder();
  private final LongAdder namedEvents = new LongAdder();
  private final LongAdder foreignEvents = new LongAdder();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final Recorder connectMicros = new Recorder(3);
  private volatile boolean measuring = true;

  void ready(StreamCheck stream, long micros) {
    ready.increment();
    open.increment();
    connectMicros.recordValue(micros);
  }

  void closed(StreamCheck stream) {
    if (measuring) {
      failures.computeIfAbsent("closed-by-server", k -> new LongAdder()).increment();
    }
  }

  /** A connection attempt failed: refused, timed out, or out of local ports. */
  public void connectFailed(Throwable cause) {
    String name = cause instanceof java.net.ConnectException ? "connect-refused"
        : cause instanceof io.netty.channel.ConnectTimeoutException ? "connect-timeout"
        : "connect-" + cause.getClass().getSimpleName();
    failures.computeIfAbsent(name, k -> new LongAdder()).increment();
  }

  void failed(String cause, StreamCheck stream) {
    failures.computeIfAbsent(cause, k -> new LongAdder()).increment();
  }

  /** The run is over: closes from now on are the tool's own. */
  public void stopMeasuring() {
    measuring = false;
  }

  void namedEvent() {
    namedEvents.increment();
  }

  void foreignEvent() {
    foreignEvents.increment();
  }

  public long ready() {
    return ready.sum();
  }

  public Map<String, Long> failures() {
    Map<String, Long> copy = new java.util.TreeMap<>();
    failures.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }

  public long failureCount() {
    return failures.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public long namedEvents() {
    return namedEvents.sum();
  }

  public Recorder connectMicros() {
    return connectMicros;
  }
}
