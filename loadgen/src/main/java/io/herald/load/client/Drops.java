package io.herald.load.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code --reconnect}: streams that the server closed, or whose connection died, and that
 * reopen with {@code Last-Event-ID} as a browser's {@code EventSource} does — after the server's
 * {@code retry:} delay (or {@link #defaultDelayMillis} when it sent none). A drop is then not a
 * failure: the stream's sequence check still sees any gap or duplicate the resume leaves.
 *
 * <p>Counts drops by cause and the streams down right now, and times each <em>outage</em>: from
 * the first drop while every stream was up until every stream is up again (what a node failure
 * costs its clients). Written from every event loop; outages change rarely, under a lock.
 */
public final class Drops {
  /** One outage: when it began (ms since the run's start), how long until all were back, how many were down at most. */
  public record Outage(long startMillis, long backAfterMillis, long maxDown) {}

  private final long defaultDelayMillis;
  private final long originNanos = System.nanoTime();
  private final Map<String, LongAdder> causes = new ConcurrentHashMap<>();
  private final LongAdder reopened = new LongAdder();
  private final List<Outage> outages = new ArrayList<>();
  private long down; // guarded by this
  private long maxDown; // guarded by this
  private long outageStartNanos; // guarded by this

  /** @param defaultDelayMillis how long a stream waits before reopening when the server sent no {@code retry:} */
  public Drops(long defaultDelayMillis) {
    if (defaultDelayMillis < 0) {
      throw new IllegalArgumentException("defaultDelayMillis: " + defaultDelayMillis + " (expected 0 or more)");
    }
    this.defaultDelayMillis = defaultDelayMillis;
  }

  public long defaultDelayMillis() {
    return defaultDelayMillis;
  }

  /** An open stream was dropped for {@code cause}; it will reopen. */
  void dropped(String cause) {
    causes.computeIfAbsent(cause, k -> new LongAdder()).increment();
    synchronized (this) {
      if (down++ == 0) {
        outageStartNanos = System.nanoTime();
        maxDown = 0;
      }
      maxDown = Math.max(maxDown, down);
    }
  }

  /** A dropped stream is open again (its opening arrived). */
  void back() {
    reopened.increment();
    synchronized (this) {
      if (--down == 0) {
        long now = System.nanoTime();
        outages.add(new Outage((outageStartNanos - originNanos) / 1_000_000, (now - outageStartNanos) / 1_000_000, maxDown));
      }
    }
  }

  /** Streams dropped and not yet open again. */
  public synchronized long down() {
    return down;
  }

  /** Reopened streams so far. */
  public long reopened() {
    return reopened.sum();
  }

  /** Drops by cause ({@code closed-by-server}, {@code reset}, {@code connect-refused}, {@code status-503}, …). */
  public Map<String, Long> causes() {
    Map<String, Long> copy = new TreeMap<>();
    causes.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }

  /** The outages that ended, oldest first. */
  public synchronized List<Outage> outages() {
    return List.copyOf(outages);
  }
}
