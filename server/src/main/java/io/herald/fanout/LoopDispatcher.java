package io.herald.fanout;

import io.herald.metrics.HeraldStats;
import io.herald.sse.DisconnectReason;
import io.herald.sse.RetryPolicy;
import io.herald.sse.SseEncoder;
import io.herald.sse.SseEvent;
import io.herald.sse.Subscriber;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jctools.queues.SpscArrayQueue;

/**
 * Delivers published events to the subscribers of one event loop.
 *
 * <p>The hand-off from publishers is a bounded single-producer queue (the {@link Broadcaster}
 * offers under its lock, so there is one producer at a time), drained by one task on the loop
 * per batch — never one task per event per channel, which would grow the loop's unbounded task
 * queue under load. A drain writes each event to every subscriber of its topic, then flushes
 * each written subscriber once: batching is what keeps throughput rising with the publish rate.
 *
 * <p>If the queue is ever full, this loop is a whole ring behind: it is marked overrun, and its
 * next drain cuts every subscriber on it (they resume from their last id) instead of silently
 * skipping events.
 *
 * <p>Everything but {@link #offer}, {@link #isCongested} and {@link #wake} runs on the loop.
 */
public final class LoopDispatcher implements Subscriber.Owner {
  /** Events written per drain before the loop gets back to its I/O. */
  private static final int BATCH = 4096;

  /** The most bytes one run carries: well under any sensible subscriber queue bound. */
  private static final int MAX_RUN_BYTES = 64 * 1024;

  private final EventLoop loop;
  private final SpscArrayQueue<SseEvent> queue;
  private final int congestionThreshold;
  private final HeraldStats stats;
  private final Runnable afterDrain;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile boolean overrun;
  private final Runnable drainTask = this::drain;

  private final Map<String, SubscriberSet> byTopic = new HashMap<>();
  private final SubscriberSet all = new SubscriberSet(null);
  private final List<Subscriber> dirty = new ArrayList<>();
  private final ByteBufAllocator alloc;
  /** The events of the drain in progress, in publish order. */
  private final SseEvent[] batch = new SseEvent[BATCH];
  /** The same events grouped by topic (publish order within each), for building runs. */
  private final SseEvent[] byTopicOrder = new SseEvent[BATCH];
  private final Map<String, int[]> topicCounts = new HashMap<>();
  /** Subscribers of several topics: they need every event in publish order, so no runs. */
  private int multiTopicSubscribers;

  LoopDispatcher(EventLoop loop, int capacity, HeraldStats stats, Runnable afterDrain) {
    this(loop, capacity, stats, afterDrain, ByteBufAllocator.DEFAULT);
  }

  LoopDispatcher(
      EventLoop loop, int capacity, HeraldStats stats, Runnable afterDrain, ByteBufAllocator alloc) {
    this.loop = loop;
    this.alloc = alloc;
    this.afterDrain = afterDrain;
    this.queue = new SpscArrayQueue<>(capacity);
    this.congestionThreshold = queue.capacity() / 2;
    this.stats = stats;
  }

  public EventLoop loop() {
    return loop;
  }

  /**
   * Called by the single publisher (under the broadcaster's lock): hands the event over, with a
   * reference of its own. Returns false, and marks this loop overrun, when it is a ring behind.
   */
  boolean offer(SseEvent event) {
    if (overrun) {
      return false;
    }
    if (!queue.offer(event.retain())) {
      event.release();
      overrun = true;
      return false;
    }
    return true;
  }

  /** Makes sure a drain is scheduled; one task per batch, however many events were offered. */
  void wake() {
    if (scheduled.compareAndSet(false, true)) {
      loop.execute(drainTask);
    }
  }

  /** Whether publishers are getting ahead of this loop (its queue is over half full). */
  boolean isCongested() {
    return overrun || queue.size() > congestionThreshold;
  }

  /** Adds a subscriber whose response headers are written, and starts it. */
  public void register(Subscriber subscriber, String lastEventId) {
    assert loop.inEventLoop();
    for (String topic : subscriber.topics()) {
      byTopic.computeIfAbsent(topic, SubscriberSet::new).add(subscriber);
    }
    all.add(subscriber);
    if (subscriber.topics().length > 1) {
      multiTopicSubscribers++;
    }
    stats.subscribed(subscriber.topics().length);
    subscriber.start(this, lastEventId, System.nanoTime());
  }

  @Override
  public void remove(Subscriber subscriber) {
    for (String topic : subscriber.topics()) {
      SubscriberSet set = byTopic.get(topic);
      if (set != null) {
        set.remove(subscriber);
        if (set.isEmpty()) {
          byTopic.remove(topic);
        }
      }
    }
    all.remove(subscriber);
    if (subscriber.topics().length > 1) {
      multiTopicSubscribers--;
    }
    stats.unsubscribed(subscriber.topics().length);
  }

  @Override
  public void disconnected(DisconnectReason reason) {
    stats.disconnected(reason);
  }

  private void drain() {
    if (overrun) {
      recoverFromOverrun();
    }
    long now = System.nanoTime();
    long deliveries = 0;
    int events = 0;
    SseEvent event;
    while (events < BATCH && (event = queue.relaxedPoll()) != null) {
      batch[events++] = event;
    }
    try {
      if (events == 1) {
        deliveries = deliver(batch[0], now, true);
      } else if (events > 1) {
        deliveries = deliverBatch(events, now);
      }
    } finally {
      for (int i = 0; i < events; i++) {
        batch[i].release();
        batch[i] = null;
      }
    }
    for (int i = 0; i < dirty.size(); i++) {
      dirty.get(i).flush();
    }
    dirty.clear();
    stats.delivered(deliveries);
    afterDrain.run();
    // Clear the flag before looking again, so an offer racing with this drain either is seen
    // here or schedules a new drain itself.
    scheduled.set(false);
    if ((!queue.isEmpty() || overrun) && scheduled.compareAndSet(false, true)) {
      loop.execute(drainTask);
    }
  }

  /**
   * Offers one event to the subscribers of its topic: all of them, or ({@code everyone} false)
   * only those of that topic alone.
   */
  private long deliver(SseEvent event, long now, boolean everyone) {
    SubscriberSet set = byTopic.get(event.topic());
    if (set == null) {
      return 0;
    }
    long delivered = 0;
    // Iterate from the end: a subscriber cut off during delivery moves the last one into its
    // slot, which this order has already visited.
    for (int i = set.size() - 1; i >= 0; i--) {
      if (i >= set.size()) {
        continue;
      }
      Subscriber subscriber = set.get(i);
      if ((everyone || subscriber.topics().length == 1) && subscriber.offer(event, now)) {
        delivered += event.count();
        if (subscriber.markDirty()) {
          dirty.add(subscriber);
        }
      }
    }
    return delivered;
  }

  /**
   * Several events at once — the loop fell behind, or publishers are fast. A subscriber of one
   * topic needs only that topic's events in order, so each topic's events in the batch are
   * copied once into runs and each such subscriber gets one write per run instead of one per
   * event: under load the work per subscriber stays flat while the events per batch grow.
   * Subscribers of several topics need every event in publish order, so they get the events
   * one by one, as before.
   */
  private long deliverBatch(int events, long now) {
    long delivered = 0;
    // Group by topic, publish order kept within each group (a counting sort on topic).
    topicCounts.clear();
    for (int i = 0; i < events; i++) {
      topicCounts.computeIfAbsent(batch[i].topic(), t -> new int[1])[0]++;
    }
    int offset = 0;
    for (int[] count : topicCounts.values()) {
      int n = count[0];
      count[0] = offset; // from now on: where this topic's next event goes
      offset += n;
    }
    for (int i = 0; i < events; i++) {
      byTopicOrder[topicCounts.get(batch[i].topic())[0]++] = batch[i];
    }
    for (int from = 0; from < events; ) {
      String topic = byTopicOrder[from].topic();
      int to = from + 1;
      while (to < events && byTopicOrder[to].topic().equals(topic)) {
        to++;
      }
      delivered += deliverTopic(from, to, now);
      from = to;
    }
    java.util.Arrays.fill(byTopicOrder, 0, events, null);
    if (multiTopicSubscribers > 0) {
      for (int i = 0; i < events; i++) {
        delivered += deliverToMultiTopic(batch[i], now);
      }
    }
    return delivered;
  }

  /** The events {@code byTopicOrder[from..to)} of one topic to its single-topic subscribers. */
  private long deliverTopic(int from, int to, long now) {
    SubscriberSet set = byTopic.get(byTopicOrder[from].topic());
    if (set == null) {
      return 0;
    }
    if (to - from == 1 || set.size() == 1) {
      long delivered = 0;
      for (int i = from; i < to; i++) {
        delivered += deliver(byTopicOrder[i], now, false);
      }
      return delivered;
    }
    long delivered = 0;
    for (int start = from; start < to; ) {
      int end = start;
      int bytes = 0;
      while (end < to && (end == start || bytes + byTopicOrder[end].size() <= MAX_RUN_BYTES)) {
        bytes += byTopicOrder[end].size();
        end++;
      }
      SseEvent run = end - start == 1 ? byTopicOrder[start].retain() : SseEncoder.run(alloc, byTopicOrder, start, end);
      try {
        delivered += deliverRun(set, run, start, end, now);
      } finally {
        run.release();
      }
      start = end;
    }
    return delivered;
  }

  private long deliverRun(SubscriberSet set, SseEvent run, int start, int end, long now) {
    long delivered = 0;
    for (int i = set.size() - 1; i >= 0; i--) {
      if (i >= set.size()) {
        continue;
      }
      Subscriber subscriber = set.get(i);
      if (subscriber.topics().length > 1) {
        continue;
      }
      boolean wrote = false;
      if (subscriber.takesWhole(run)) {
        if (subscriber.offer(run, now)) {
          delivered += run.count();
          wrote = true;
        }
      } else {
        // It has some of these already (it started during this batch): one by one.
        for (int e = start; e < end; e++) {
          if (subscriber.offer(byTopicOrder[e], now)) {
            delivered++;
            wrote = true;
          }
        }
      }
      if (wrote && subscriber.markDirty()) {
        dirty.add(subscriber);
      }
    }
    return delivered;
  }

  private long deliverToMultiTopic(SseEvent event, long now) {
    SubscriberSet set = byTopic.get(event.topic());
    if (set == null) {
      return 0;
    }
    long delivered = 0;
    for (int i = set.size() - 1; i >= 0; i--) {
      if (i >= set.size()) {
        continue;
      }
      Subscriber subscriber = set.get(i);
      if (subscriber.topics().length > 1 && subscriber.offer(event, now)) {
        delivered++;
        if (subscriber.markDirty()) {
          dirty.add(subscriber);
        }
      }
    }
    return delivered;
  }

  /**
   * The queue overflowed, so this loop's subscribers may have missed events: cut every one of
   * them (each resumes from its last id), drop what is queued, and take offers again.
   */
  private void recoverFromOverrun() {
    while (!all.isEmpty()) {
      all.get(all.size() - 1).cut(DisconnectReason.LAPPED);
    }
    SseEvent event;
    while ((event = queue.relaxedPoll()) != null) {
      event.release();
    }
    overrun = false;
  }

  /** Starts the periodic heartbeat and stall sweep of this loop's subscribers. */
  void startSweeping(long intervalNanos) {
    loop.scheduleAtFixedRate(this::sweep, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
  }

  private void sweep() {
    long now = System.nanoTime();
    for (int i = all.size() - 1; i >= 0; i--) {
      if (i < all.size()) {
        all.get(i).sweep(now);
      }
    }
  }

  /** A subscriber's connection can take more again. */
  public void writable(Subscriber subscriber) {
    subscriber.writable(System.nanoTime());
  }

  /**
   * Shutdown, on the loop: deliver everything already queued (acknowledged events are never
   * dropped), then ask every subscriber to come back later and end its stream.
   */
  void drainAndEndAll(RetryPolicy retry) {
    while (!queue.isEmpty() && !overrun) {
      drainOnce();
    }
    while (!all.isEmpty()) {
      all.get(all.size() - 1).end(DisconnectReason.SHUTDOWN, retry.nextMillis());
    }
  }

  private void drainOnce() {
    scheduled.set(true);
    drain();
  }
}
