package io.herald.load.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Counts of the streams of a run, written from every event loop: how many are open and ready,
 * what failed and why, how often they reconnected, and how long each took to open. A stream is
 * <em>ready</em> once its opening comment arrived: the server has registered it, so it must
 * receive everything published after that.
 */
public final class Streams {
  private final LongAdder ready = new LongAdder();
  private final LongAdder open = new LongAdder();
  private final LongAdder reconnects = new LongAdder();
  private final LongAdder namedEvents = new LongAdder();
  private final LongAdder foreignEvents = new LongAdder();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final Recorder connectMicros = new Recorder(3);
  private volatile boolean measuring = true;
  private final java.util.concurrent.atomic.AtomicLong failureTotal = new java.util.concurrent.atomic.AtomicLong();
  private volatile long failureLimit;
  private volatile Runnable onFailureLimit = () -> {};
  private volatile long latencyFromMicros = Long.MIN_VALUE;
  private volatile Drops drops;
  private volatile Storm storm;
  private final java.util.concurrent.atomic.AtomicLong lastReadyNanos = new java.util.concurrent.atomic.AtomicLong();
  private volatile long lastScheduledNanos;

  /** {@code --storm}: the storm of this run, for the report. */
  public void stormWith(Storm storm) {
    this.storm = storm;
  }

  /** The storm of {@code --storm}, or null. */
  public Storm storm() {
    return storm;
  }

  /** {@code --reconnect}: from now on a dropped stream reopens and is counted in {@code drops}. */
  public void reconnectWith(Drops drops) {
    this.drops = drops;
  }

  /** The drops of {@code --reconnect}, or null when a dropped stream is a failure. */
  public Drops drops() {
    return drops;
  }

  /** Whether the run still measures (the tool's own closes at the end are no drops). */
  boolean measuring() {
    return measuring;
  }

  void ready(StreamCheck stream, long micros) {
    ready.increment();
    open.increment();
    connectMicros.recordValue(micros);
    long now = System.nanoTime();
    lastReadyNanos.accumulateAndGet(now, (a, b) -> a == 0 || b - a > 0 ? b : a);
  }

  /** The ramp's last connection was due at {@code nanos} ({@link System#nanoTime()}). */
  public void lastScheduledAt(long nanos) {
    lastScheduledNanos = nanos;
  }

  /**
   * How long after its slot on the ramp's schedule the last stream to become ready was ready, in
   * microseconds: how far the ramp fell behind its rate; -1 before the ramp ended.
   */
  public long rampLateMicros() {
    long last = lastReadyNanos.get();
    long due = lastScheduledNanos;
    return last == 0 || due == 0 ? -1 : Math.max(0, (last - due) / 1000);
  }

  /** A churned stream is open again, resumed after its last event id. */
  void reconnected() {
    reconnects.increment();
  }

  void closed(StreamCheck stream, boolean wasOpen) {
    closedIf(wasOpen);
    if (measuring) {
      failure("closed-by-server");
    }
  }

  /** A connection attempt failed: refused, timed out, or out of local ports. */
  void connectFailed(Throwable cause, boolean wasOpen) {
    closedIf(wasOpen);
    failure(connectCause(cause));
  }

  static String connectCause(Throwable cause) {
    return cause instanceof java.net.ConnectException ? "connect-refused"
        : cause instanceof io.netty.channel.ConnectTimeoutException ? "connect-timeout"
        : "connect-" + cause.getClass().getSimpleName();
  }

  /** {@code --reconnect}: an open stream was dropped and will reopen. */
  void closedWhileOpen() {
    open.decrement();
  }

  /** {@code --reconnect}: a dropped stream is open again. */
  void reopened() {
    open.increment();
  }

  void failed(String cause, StreamCheck stream, boolean wasOpen) {
    closedIf(wasOpen);
    failure(cause);
  }

  private void closedIf(boolean wasOpen) {
    if (wasOpen) {
      open.decrement();
    }
  }

  private void failure(String cause) {
    failures.computeIfAbsent(cause, k -> new LongAdder()).increment();
    long limit = failureLimit;
    if (limit > 0 && failureTotal.incrementAndGet() == limit) {
      onFailureLimit.run();
    }
  }

  /**
   * Runs {@code action} (once, on the thread that saw it) when the {@code limit}-th failure is
   * counted — a connection that could not be made, a stream that failed or was closed by the
   * server; {@code limit} 0 never runs it.
   */
  public void onFailures(long limit, Runnable action) {
    onFailureLimit = action;
    failureLimit = limit;
  }

  /**
   * Events due (by their {@link io.herald.load.measure.EventClock} stamp) before {@code micros}
   * are the warm-up: still checked for loss, but not recorded as latency.
   */
  public void recordLatencyFrom(long micros) {
    latencyFromMicros = micros;
  }

  long latencyFromMicros() {
    return latencyFromMicros;
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

  /** Streams that became ready and have not failed or ended since. */
  public long open() {
    return open.sum();
  }

  public long reconnects() {
    return reconnects.sum();
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
