package io.herald.load.publish;

import io.herald.load.measure.EventClock;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes on a fixed schedule: event k is due at {@code start + k / rate} and carries that
 * intended time (not the time it actually left), so a publisher or server that falls behind
 * shows up as latency instead of hiding it (no coordinated omission). Each event also carries
 * its topic's sequence number, from which subscribers detect loss. How events travel is the
 * {@link Transport}'s business (TCP ingest, HTTP POST).
 */
public final class Publisher {
  /** Carries events to the server and counts its answers. */
  public interface Transport extends AutoCloseable {
    /** Sends one event ({@code event} is the whole JSON object, topic included). */
    void send(String event) throws IOException;

    /**
     * The same, for a transport that needs to know the event's topic index and sequence (one
     * whose answers may come out of sending order).
     */
    default void send(String event, int topic, long sequence) throws IOException {
      send(event);
    }

    /**
     * Whether answers come in sending order, through {@link Publisher#answered(boolean)};
     * otherwise each names its event, through {@link Publisher#answered(int, long, boolean)}.
     */
    default boolean answersInOrder() {
      return true;
    }

    /** Everything sent so far is on its way (called before waiting for the next due time). */
    void flush() throws IOException;

    @Override
    void close() throws IOException;
  }

  private final Topics topics;
  private final double rate;
  private final String padding;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final long[] perTopic;
  /** (topic, sequence) of each event sent and not yet answered, in sending order (answers come in that order). */
  private final java.util.Queue<long[]> unanswered = new java.util.concurrent.ConcurrentLinkedQueue<>();
  /** Per topic, the sequence numbers the server refused: never acknowledged, so not owed to anyone. */
  private final java.util.Set<Long>[] refusedPerTopic;
  private volatile boolean stopped;

  public Publisher(Topics topics, double rate, int payloadBytes) {
    this.topics = topics;
    this.rate = rate;
    this.padding = "x".repeat(Math.max(0, payloadBytes - 40));
    this.perTopic = new long[topics.count()];
    @SuppressWarnings("unchecked")
    java.util.Set<Long>[] refusedSets = new java.util.Set[topics.count()];
    this.refusedPerTopic = refusedSets;
  }

  /**
   * Publishes for {@code durationNanos} through {@code transport}, then waits (at most 30 s) for
   * the answers to everything sent.
   */
  public void run(Transport transport, long durationNanos) throws IOException {
    run(transport, EventClock.nowMicros(), durationNanos);
  }

  /**
   * Publishes from {@code startMicros} ({@link EventClock}: the due time of the first event) for
   * {@code durationNanos} through {@code transport}, then waits (at most 30 s) for the answers to
   * everything sent.
   */
  public void run(Transport transport, long startMicros, long durationNanos) throws IOException {
    try (transport) {
      long periodNanos = (long) (1_000_000_000L / rate);
      long end = EventClock.toNanoTime(startMicros) + durationNanos;
      StringBuilder event = new StringBuilder(128 + padding.length());
      boolean inOrder = transport.answersInOrder();
      for (long k = 0; ; k++) {
        long dueMicros = startMicros + k * periodNanos / 1000;
        long dueNanos = EventClock.toNanoTime(dueMicros);
        if (dueNanos > end || stopped) {
          break;
        }
        long wait = dueNanos - System.nanoTime();
        if (wait > 0) {
          transport.flush(); // everything due so far is on its way before waiting for the next
          LockSupport.parkNanos(wait); // the schedule itself
        }
        int topic = topics.topicOf(k);
        long sequence = ++perTopic[topic];
        event.setLength(0);
        event.append("{\"topic\":\"").append(topics.name(topic)).append("\",\"data\":{\"s\":")
            .append(sequence).append(",\"t\":").append(dueMicros).append(",\"p\":\"")
            .append(padding).append("\"}}");
        if (inOrder) {
          unanswered.add(new long[] {topic, sequence}); // before sending: the answer may come at once
        }
        transport.send(event.toString(), topic, sequence);
        sent.incrementAndGet();
      }
      transport.flush();
      long deadline = System.nanoTime() + (stopped ? 0 : 30_000_000_000L);
      while (acknowledged.get() + refused.get() < sent.get() && System.nanoTime() < deadline) {
        LockSupport.parkNanos(1_000_000); // polling the answer counters, bounded by the deadline
      }
    }
  }

  /** Ends {@link #run} early: no more events, and no waiting for the answers still due. */
  public void stop() {
    stopped = true;
  }

  /** Called by transports whose answers come in sending order, for each answer. */
  void answered(boolean accepted) {
    long[] event = unanswered.poll();
    if (event == null) {
      (accepted ? acknowledged : refused).incrementAndGet();
    } else {
      answered((int) event[0], event[1], accepted);
    }
  }

  /** Called by transports, from any thread, for the answer to event {@code sequence} of {@code topic}. */
  void answered(int topic, long sequence, boolean accepted) {
    if (!accepted) {
      synchronized (refusedPerTopic) {
        if (refusedPerTopic[topic] == null) {
          refusedPerTopic[topic] = new java.util.HashSet<>();
        }
        refusedPerTopic[topic].add(sequence);
      }
    }
    (accepted ? acknowledged : refused).incrementAndGet();
  }

  /**
   * Whether the server refused event {@code sequence} of topic {@code index}. A refused event
   * was never acknowledged, so a subscriber that misses it lost nothing (one that receives it
   * anyway got an event the server stored but could not confirm: at least once).
   */
  public boolean wasRefused(int index, long sequence) {
    synchronized (refusedPerTopic) {
      java.util.Set<Long> refusedHere = refusedPerTopic[index];
      return refusedHere != null && refusedHere.contains(sequence);
    }
  }

  public long sent() {
    return sent.get();
  }

  public long acknowledged() {
    return acknowledged.get();
  }

  public long refused() {
    return refused.get();
  }

  /** Events published to topic {@code index}. */
  public long publishedTo(int index) {
    return perTopic[index];
  }
}
