package io.herald.fanout;

import io.herald.sse.SseEncoder;
import io.herald.sse.SseEvent;
import io.herald.sse.Subscriber;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One drained batch of events on its way to the subscribers of one loop, delivered a slice at a
 * time so that the loop's I/O (new connections, publishers, heartbeats) gets a turn during a
 * fan-out to thousands of subscribers.
 *
 * <p>The batch becomes a list of units, each one event or run for one set of subscribers. A
 * subscriber of one topic needs only that topic's events in order, so when a topic has several
 * events in the batch they are copied once into runs (one chunk of at most 64 KiB) and such a
 * subscriber gets one write per run instead of one per event: under load the work per
 * subscriber stays flat while the events per batch grow. Subscribers of several topics need
 * every event in publish order, so they get the events one by one, in units of their own that
 * come after the runs.
 *
 * <p>Between slices subscribers may come and go. A set is walked from its end, so a removal only
 * ever moves an already visited subscriber into a slot still to visit, and visiting a subscriber
 * twice is harmless: it takes only events past the last one it was sent. A subscriber added
 * between slices started after these events were published and does not want them.
 *
 * <p>Owned by its dispatcher's loop; reused for every batch.
 */
final class BatchDelivery {
  /** The most bytes one run carries: well under any sensible subscriber queue bound. */
  static final int MAX_RUN_BYTES = 64 * 1024;

  private enum Who {
    EVERYONE,
    SINGLE_TOPIC,
    SEVERAL_TOPICS
  }

  /** One event or run, for one set of subscribers. */
  private static final class Unit {
    SseEvent event;
    boolean ownsEvent;
    SubscriberSet set;
    Who who;
    /** For a run: its events, {@code byTopicOrder[from..to)}, for subscribers that need some. */
    int from;
    int to;
  }

  private static final Comparator<Unit> BY_FAN_OUT =
      Comparator.comparingInt(u -> u.set.size());

  private final ByteBufAllocator alloc;
  /** The events of the batch, in publish order; this holds one reference to each. */
  final SseEvent[] batch;
  private int events;
  /** The same events grouped by topic, publish order kept within each group. */
  private final SseEvent[] byTopicOrder;
  /**
   * Per topic of the batch: {@code [0]} where its next event goes in {@link #byTopicOrder} while
   * grouping, {@code [1]} the index of its last unit once planned (-1: nobody here reads it).
   */
  private final Map<String, int[]> topicCounts = new HashMap<>();
  private final List<Unit> units = new ArrayList<>();
  private int unitCount;
  private int unit;
  /** The next subscriber index to visit in the current unit's set; -1 before it starts. */
  private int cursor = -1;
  private long delivered;

  BatchDelivery(ByteBufAllocator alloc, int capacity) {
    this.alloc = alloc;
    this.batch = new SseEvent[capacity];
    this.byTopicOrder = new SseEvent[capacity];
  }

  /** Plans the delivery of {@code batch[0..events)}, which the caller has filled. */
  void plan(int events, Map<String, SubscriberSet> byTopic, boolean severalTopicSubscribers) {
    this.events = events;
    unitCount = 0;
    unit = 0;
    cursor = -1;
    if (events == 1) {
      SubscriberSet set = byTopic.get(batch[0].topic());
      if (set != null) {
        add(batch[0], false, set, Who.EVERYONE, 0, 0);
      }
      return;
    }
    groupByTopic();
    for (int from = 0; from < events; ) {
      String topic = byTopicOrder[from].topic();
      int to = from + 1;
      while (to < events && byTopicOrder[to].topic().equals(topic)) {
        to++;
      }
      SubscriberSet set = byTopic.get(topic);
      if (set != null) {
        planTopic(set, from, to);
      }
      from = to;
    }
    if (unitCount > 1) {
      // Smallest fan-out first: a user's own topic goes out in the first slice, not after a
      // broadcast to ten thousand. Stable, so a topic's runs keep their order.
      units.subList(0, unitCount).sort(BY_FAN_OUT);
    }
    if (severalTopicSubscribers) {
      for (int i = 0; i < events; i++) {
        SubscriberSet set = byTopic.get(batch[i].topic());
        if (set != null) {
          add(batch[i], false, set, Who.SEVERAL_TOPICS, 0, 0);
        }
      }
    }
    for (int i = 0; i < unitCount; i++) {
      topicCounts.get(units.get(i).event.topic())[1] = i;
    }
  }

  /**
   * Whether the batch being delivered still has events of {@code topic} to deliver: a unit of
   * it not yet visited to its end. Once a topic's units are out (the smallest fan-outs go in
   * the first slice), its later events may go out at once without passing any of its events
   * still in the batch.
   */
  boolean carries(String topic) {
    if (events == 1) {
      return unit < unitCount && batch[0].topic().equals(topic);
    }
    if (events < 1) {
      return false;
    }
    int[] planned = topicCounts.get(topic);
    return planned != null && planned[1] >= unit;
  }

  /** A counting sort of the batch on topic into {@link #byTopicOrder}. */
  private void groupByTopic() {
    topicCounts.clear();
    for (int i = 0; i < events; i++) {
      topicCounts.computeIfAbsent(batch[i].topic(), t -> new int[] {0, -1})[0]++;
    }
    int offset = 0;
    for (int[] count : topicCounts.values()) {
      int n = count[0];
      count[0] = offset; // from now on: where the topic's next event goes
      offset += n;
    }
    for (int i = 0; i < events; i++) {
      byTopicOrder[topicCounts.get(batch[i].topic())[0]++] = batch[i];
    }
  }

  /** The events {@code byTopicOrder[from..to)} of one topic, for its single-topic subscribers. */
  private void planTopic(SubscriberSet set, int from, int to) {
    if (to - from == 1 || set.size() == 1) {
      for (int i = from; i < to; i++) {
        add(byTopicOrder[i], false, set, Who.SINGLE_TOPIC, i, i + 1);
      }
      return;
    }
    for (int start = from; start < to; ) {
      int end = start;
      int bytes = 0;
      while (end < to && (end == start || bytes + byTopicOrder[end].size() <= MAX_RUN_BYTES)) {
        bytes += byTopicOrder[end].size();
        end++;
      }
      if (end - start == 1) {
        add(byTopicOrder[start], false, set, Who.SINGLE_TOPIC, start, end);
      } else {
        add(SseEncoder.run(alloc, byTopicOrder, start, end), true, set, Who.SINGLE_TOPIC, start, end);
      }
      start = end;
    }
  }

  private void add(SseEvent event, boolean owns, SubscriberSet set, Who who, int from, int to) {
    if (unitCount == units.size()) {
      units.add(new Unit());
    }
    Unit u = units.get(unitCount++);
    u.event = event;
    u.ownsEvent = owns;
    u.set = set;
    u.who = who;
    u.from = from;
    u.to = to;
  }

  /**
   * Visits up to {@code budget} subscribers; those written to are added to {@code dirty} (once
   * each, via {@link Subscriber#markDirty}) for the caller to flush.
   *
   * @return whether the whole batch is delivered
   */
  boolean run(int budget, long now, List<Subscriber> dirty) {
    while (unit < unitCount) {
      Unit u = units.get(unit);
      if (cursor < 0) {
        cursor = u.set.size() - 1;
      }
      for (; cursor >= 0; cursor--) {
        if (budget-- == 0) {
          return false;
        }
        if (cursor >= u.set.size()) {
          continue; // removed since: the slot is past the end now
        }
        Subscriber subscriber = u.set.get(cursor);
        if (visit(u, subscriber, now) && subscriber.markDirty()) {
          dirty.add(subscriber); // flushing one that was cut meanwhile does nothing
        }
      }
      unit++;
      cursor = -1;
    }
    return true;
  }

  /** Offers a unit to one subscriber; true if something was written. */
  private boolean visit(Unit u, Subscriber subscriber, long now) {
    boolean single = subscriber.topics().length == 1;
    switch (u.who) {
      case EVERYONE:
        break;
      case SINGLE_TOPIC:
        if (!single) {
          return false;
        }
        break;
      case SEVERAL_TOPICS:
        if (single) {
          return false;
        }
        break;
    }
    if (u.event.count() == 1 || subscriber.takesWhole(u.event)) {
      if (subscriber.offer(u.event, now)) {
        delivered += u.event.count();
        return true;
      }
      return false;
    }
    // It has some of the run already (it started during this batch): one by one.
    boolean wrote = false;
    for (int e = u.from; e < u.to; e++) {
      if (subscriber.offer(byTopicOrder[e], now)) {
        delivered++;
        wrote = true;
      }
    }
    return wrote;
  }

  /** Deliveries made since the last call. */
  long takeDelivered() {
    long n = delivered;
    delivered = 0;
    return n;
  }

  /** Records, for each event of the batch, how long it took from acceptance to here. */
  void recordLag(io.herald.metrics.HeraldStats stats, long nowNanos) {
    for (int i = 0; i < events; i++) {
      stats.deliveryLag(nowNanos - batch[i].acceptedNanos());
    }
  }

  /** Gives back the batch's events and the runs built from them. */
  void release() {
    for (int i = 0; i < unitCount; i++) {
      Unit u = units.get(i);
      if (u.ownsEvent) {
        u.event.release();
      }
      u.event = null;
      u.set = null;
    }
    unitCount = 0;
    for (int i = 0; i < events; i++) {
      batch[i].release();
      batch[i] = null;
    }
    Arrays.fill(byTopicOrder, 0, events, null);
    events = 0;
  }
}
