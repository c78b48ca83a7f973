package io.herald.fanout;

import io.herald.metrics.HeraldStats;
import io.herald.sse.DisconnectReason;
import io.herald.sse.RetryPolicy;
import io.herald.sse.SseEvent;
import io.herald.sse.Subscriber;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jctools.queues.SpscArrayQueue;

/**
 * Delivers published events to the subscribers of one event loop.
 *
 * <p>The hand-off from publishers is a bounded single-producer queue (the {@link Broadcaster}
 * offers under its lock, so there is one producer at a time), drained by one task on the loop
 * per batch — never one task per event per channel, which would grow the loop's unbounded task
 * queue under load. A drain takes what is queued as one batch ({@link BatchDelivery}: runs of
 * a topic's events for its single-topic subscribers) and delivers it in slices of {@link
 * #SLICE} subscribers, flushing the ones each slice wrote to and letting the loop's I/O run in
 * between: batching is what keeps throughput rising with the publish rate, slicing what keeps
 * the loop responsive during a fan-out to tens of thousands.
 *
 * <p>Replays share the loop the same way: a subscriber with history to replay joins {@link
 * #replaying}, a queue served round-robin, one {@link Subscriber#replayStep step} per subscriber
 * per visit, at most {@link #REPLAY_SLICE_EVENTS} events and {@link #REPLAY_SLICE_BYTES} bytes
 * per turn of the loop, with the loop's I/O and live deliveries in between. A storm of clients
 * resuming at once thus costs each turn a bounded slice instead of every replay in full inside
 * the read of its request. (The seam with live events is the subscriber's: see {@link
 * Subscriber}.)
 *
 * <p>While a batch for a large topic goes out slice by slice, the events that arrive for small
 * topics do not wait for it: each slice first takes what the queue holds and delivers at once
 * the events of topics with at most {@link #EXPRESS_SUBSCRIBERS} subscribers here that the batch
 * in progress does not carry, or has already delivered to every subscriber of their topic (and
 * that have no earlier event held back), up to {@link #SLICE}
 * visits; the rest are held, in order, for the next batch. A user's own topic thus waits about
 * one slice behind a broadcast to ten thousand, not the whole broadcast. Order per topic is kept:
 * a topic's events go either all express or all through batches until the held ones are out.
 * Subscribers of several topics need every event in publish order, so while there are any on
 * this loop nothing goes express.
 *
 * <p>If the queue is ever full, this loop is a whole ring behind: it is marked overrun, and its
 * next drain cuts every subscriber on it (they resume from their last id) instead of silently
 * skipping events.
 *
 * <p>Everything but {@link #offer}, {@link #isCongested} and {@link #wake} runs on the loop.
 */
public final class LoopDispatcher implements Subscriber.Owner {
  /** The most events one batch takes from the queue. */
  private static final int BATCH = 4096;

  /**
   * Subscribers visited per slice of a delivery before the loop's I/O gets a turn: one to two
   * milliseconds of writes, so publishers, new connections and the events of small topics (see
   * {@link #EXPRESS_SUBSCRIBERS}) are not kept waiting behind a fan-out to tens of thousands.
   * Measured (bench/RESULTS.md, session 4): 256 instead of 1,024 took a 200-stream topic's p99
   * from 34 to 15 ms beside a 10,000-stream broadcast, at no cost in throughput or CPU at 10,000
   * streams × 10 or 100 events/s.
   */
  static final int SLICE = 256;

  /**
   * The most replayed events written per turn of the loop, over all its replaying subscribers:
   * about as many writes as one slice of live delivery.
   */
  static final int REPLAY_SLICE_EVENTS = 1024;

  /**
   * The most subscribers a topic may have on this loop for its events to go out at once while a
   * batch is in progress (see the class comment): small enough to cost a fraction of a slice.
   */
  static final int EXPRESS_SUBSCRIBERS = SLICE;

  /**
   * How often {@link #nudge} looks at the queue during a flood of per-connection tasks: the
   * events of small topics wait about this long (plus one connection's task) for their turn.
   */
  static final long NUDGE_NANOS = 500_000;

  /** The most replayed bytes written per turn of the loop, over all its replaying subscribers. */
  static final long REPLAY_SLICE_BYTES = 1 << 20;

  private final EventLoop loop;
  private final SpscArrayQueue<SseEvent> queue;
  private final int congestionThreshold;
  private final HeraldStats stats;
  private final Runnable afterDrain;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile boolean overrun;
  private final Runnable drainTask = this::drain;

  private final Map<String, SubscriberSet> byTopic = new HashMap<>();
  /**
   * The keys of {@link #byTopic}, for the publisher: written on the loop, read under the
   * broadcaster's lock (see {@link #wants}). Bounded like {@link #byTopic}, by the topics of this
   * loop's subscribers.
   */
  private final Set<String> topicsHere = ConcurrentHashMap.newKeySet();
  private final SubscriberSet all = new SubscriberSet(null);
  private final List<Subscriber> dirty = new ArrayList<>();
  private final BatchDelivery delivery;
  /**
   * Events taken from the queue during a batch and held for the next one, in queue order; this
   * holds one reference to each. At most {@link #BATCH}, so they always fit the next batch.
   */
  private final SseEvent[] held = new SseEvent[BATCH];
  private int heldCount;
  /** The topics of {@link #held}: later events of these topics are held too, to keep order. */
  private final Set<String> heldTopics = new HashSet<>();
  /** Whether {@link #delivery} holds a batch not yet fully delivered. */
  private boolean delivering;
  /** Subscribers of several topics: they need every event in publish order, so no runs. */
  private int multiTopicSubscribers;
  /**
   * Subscribers with a replay step to take, each at most once ({@link
   * Subscriber#isReplayQueued}): bounded by the loop's subscribers.
   */
  private final ArrayDeque<Subscriber> replaying = new ArrayDeque<>();
  /** Whether a drain is running (a {@link #nudge} from inside one would be reentrant). */
  private boolean draining;
  /** When {@link #nudge} last looked at the queue. */
  private long lastNudge = System.nanoTime() - NUDGE_NANOS;
  private boolean replayScheduled;
  private final Runnable replayTask = this::replaySlice;

  LoopDispatcher(EventLoop loop, int capacity, HeraldStats stats, Runnable afterDrain) {
    this(loop, capacity, stats, afterDrain, ByteBufAllocator.DEFAULT);
  }

  LoopDispatcher(
      EventLoop loop, int capacity, HeraldStats stats, Runnable afterDrain, ByteBufAllocator alloc) {
    this.loop = loop;
    this.delivery = new BatchDelivery(alloc, BATCH);
    this.afterDrain = afterDrain;
    this.queue = new SpscArrayQueue<>(capacity);
    this.congestionThreshold = queue.capacity() / 2;
    this.stats = stats;
  }

  @Override
  public java.util.concurrent.Executor executor() {
    return loop;
  }

  public EventLoop loop() {
    return loop;
  }

  /**
   * Called by the single publisher (under the broadcaster's lock): whether a subscriber on this
   * loop reads {@code topic}, so that an event of it must be {@link #offer offered} here. An event
   * nobody here reads is not handed over at all, and so costs this loop no wake-up.
   *
   * <p>Nothing is missed: {@link #register} adds the topic before the subscriber starts, and its
   * start (which decides where its live events begin) takes the broadcaster's lock. So an event
   * published after that start sees the topic here; one published before it is not the
   * subscriber's to have live (it is in the history, for a replay).
   */
  boolean wants(String topic) {
    return topicsHere.contains(topic);
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
      SubscriberSet set = byTopic.get(topic);
      if (set == null) {
        set = new SubscriberSet(topic);
        byTopic.put(topic, set);
        // Before subscriber.start takes the broadcaster's lock: see wants().
        topicsHere.add(topic);
      }
      set.add(subscriber);
    }
    all.add(subscriber);
    if (subscriber.topics().length > 1) {
      multiTopicSubscribers++;
    }
    stats.subscribed(subscriber.topics().length, subscriber.isHttp2());
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
          topicsHere.remove(topic);
        }
      }
    }
    all.remove(subscriber);
    if (subscriber.topics().length > 1) {
      multiTopicSubscribers--;
    }
    stats.unsubscribed(subscriber.topics().length, subscriber.isHttp2());
  }

  @Override
  public void disconnected(DisconnectReason reason) {
    stats.disconnected(reason);
  }

  /**
   * One slice of delivery: starts a batch if none is in progress, visits up to {@link #SLICE}
   * subscribers, flushes those it wrote to, and comes back after the loop's next I/O if the
   * batch is not done.
   */
  private void drain() {
    draining = true;
    try {
      drainSlice();
    } finally {
      draining = false;
    }
  }

  private void drainSlice() {
    if (!delivering) {
      if (overrun) {
        recoverFromOverrun();
      }
      int events = 0;
      for (; events < heldCount; events++) {
        delivery.batch[events] = held[events]; // queued before anything still in the queue
        held[events] = null;
      }
      heldCount = 0;
      heldTopics.clear();
      SseEvent event;
      while (events < BATCH && (event = queue.relaxedPoll()) != null) {
        delivery.batch[events++] = event;
      }
      if (events > 0) {
        delivering = true;
        delivery.plan(events, byTopic, multiTopicSubscribers > 0);
      }
    }
    if (delivering) {
      boolean done;
      try {
        long now = System.nanoTime();
        if (!overrun && multiTopicSubscribers == 0) {
          expressPass(now);
        }
        done = delivery.run(SLICE, now, dirty);
      } catch (RuntimeException e) {
        // A bug, not a client's doing: drop the batch rather than retry it forever.
        delivering = false;
        delivery.release();
        scheduled.set(false);
        throw e;
      } finally {
        for (int i = 0; i < dirty.size(); i++) {
          dirty.get(i).flush();
        }
        dirty.clear();
        stats.delivered(delivery.takeDelivered());
      }
      if (!done) {
        // A task scheduled now runs after the loop's next I/O; one executed now would not.
        loop.schedule(drainTask, 0, TimeUnit.NANOSECONDS);
        return;
      }
      delivering = false;
      delivery.recordLag(stats, System.nanoTime());
      delivery.release();
    }
    afterDrain.run();
    // Clear the flag before looking again, so an offer racing with this drain either is seen
    // here or schedules a new drain itself.
    scheduled.set(false);
    if ((heldCount > 0 || !queue.isEmpty() || overrun) && scheduled.compareAndSet(false, true)) {
      loop.execute(drainTask);
    }
  }

  /**
   * Called on the loop between the per-connection tasks of a flood (each connection that closes
   * or is registered is one task of Netty's, and ten thousand of them run in one turn of the
   * loop, ahead of a drain task queued behind them): at most every {@link #NUDGE_NANOS}, takes
   * an express pass over what waits in the queue now, so the events of small topics go out
   * between those tasks instead of after all of them. What cannot go express is held, in order,
   * for the drain already scheduled (every offer is followed by {@link #wake}). Never from
   * inside a drain: Netty runs a channel's inactive and registration events as tasks of their
   * own.
   */
  public void nudge() {
    if (draining || queue.isEmpty() || overrun || multiTopicSubscribers > 0) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastNudge < NUDGE_NANOS) {
      return;
    }
    lastNudge = now;
    try {
      expressPass(now);
    } finally {
      for (int i = 0; i < dirty.size(); i++) {
        dirty.get(i).flush();
      }
      dirty.clear();
    }
  }

  /**
   * During a batch: takes what waits in the queue, delivers at once the events of small topics
   * that neither the batch nor {@link #held} carries, and holds the rest (see the class comment).
   */
  private void expressPass(long now) {
    int visits = 0;
    SseEvent event;
    while (heldCount < BATCH && (event = queue.relaxedPoll()) != null) {
      String topic = event.topic();
      SubscriberSet set = byTopic.get(topic);
      if (set == null) {
        stats.deliveryLag(now - event.acceptedNanos());
        event.release(); // nobody here wants it
        continue;
      }
      int size = set.size();
      if (size <= EXPRESS_SUBSCRIBERS
          && visits + size <= SLICE
          && !heldTopics.contains(topic)
          && !(delivering && delivery.carries(topic))) {
        visits += size;
        try {
          deliverNow(event, set, now);
        } finally {
          event.release();
        }
      } else {
        held[heldCount++] = event;
        heldTopics.add(topic);
      }
    }
  }

  /** One event to every subscriber of its topic here, unflushed (the drain flushes {@link #dirty}). */
  private void deliverNow(SseEvent event, SubscriberSet set, long now) {
    long delivered = 0;
    // From the end, like a batch: a subscriber cut meanwhile only moves a visited one into its slot.
    for (int i = set.size() - 1; i >= 0; i--) {
      if (i >= set.size()) {
        continue;
      }
      Subscriber subscriber = set.get(i);
      if (subscriber.offer(event, now)) {
        delivered++;
        if (subscriber.markDirty()) {
          dirty.add(subscriber);
        }
      }
    }
    stats.delivered(delivered);
    stats.deliveryLag(now - event.acceptedNanos());
  }

  /**
   * The queue overflowed, so this loop's subscribers may have missed events: cut every one of
   * them (each resumes from its last id), drop what is queued, and take offers again.
   */
  private void recoverFromOverrun() {
    while (!all.isEmpty()) {
      all.get(all.size() - 1).cut(DisconnectReason.LAPPED);
    }
    for (int i = 0; i < heldCount; i++) {
      held[i].release();
      held[i] = null;
    }
    heldCount = 0;
    heldTopics.clear();
    SseEvent event;
    while ((event = queue.relaxedPoll()) != null) {
      event.release();
    }
    overrun = false;
  }

  /** Whether nothing waits here: no batch, held or queued event, or replay (on the loop). */
  boolean isIdle() {
    return !delivering && heldCount == 0 && queue.isEmpty() && replaying.isEmpty();
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

  /**
   * Queues a subscriber's replay for this loop's next replay slice (a task executed now, so the
   * first slice runs once the loop's current I/O pass is done, not inside a request's read).
   */
  @Override
  public void replayPending(Subscriber subscriber) {
    assert loop.inEventLoop();
    if (subscriber.isReplayQueued()) {
      return;
    }
    subscriber.replayQueued(true);
    replaying.add(subscriber);
    if (!replayScheduled) {
      replayScheduled = true;
      loop.execute(replayTask);
    }
  }

  /**
   * One turn's slice of replay: round-robin, one step per subscriber per visit, until the budget
   * is spent or nobody can take more. A subscriber whose connection went unwritable leaves the
   * queue and comes back through {@link #writable}; one that caught up or closed just leaves.
   */
  private void replaySlice() {
    replayScheduled = false;
    Subscriber.ReplayBudget budget =
        new Subscriber.ReplayBudget(REPLAY_SLICE_EVENTS, REPLAY_SLICE_BYTES);
    long now = System.nanoTime();
    Subscriber subscriber;
    while (!budget.isSpent() && (subscriber = replaying.poll()) != null) {
      subscriber.replayQueued(false);
      subscriber.replayStep(budget, now);
      if (subscriber.canReplay()) {
        subscriber.replayQueued(true);
        replaying.add(subscriber);
      }
    }
    if (!replaying.isEmpty()) {
      replayScheduled = true;
      // A task scheduled now runs after the loop's next I/O; one executed now would not.
      loop.schedule(replayTask, 0, TimeUnit.NANOSECONDS);
    }
  }

  /** A subscriber's connection can take more again. */
  public void writable(Subscriber subscriber) {
    subscriber.writable(System.nanoTime());
  }

  /**
   * Shutdown, on the loop: deliver everything already queued (acknowledged events are never
   * dropped), then ask every subscriber to come back later and end its stream; {@code done}
   * completes then.
   *
   * <p>The backlog goes out through the ordinary drain, one slice per turn of the loop with its
   * I/O in between, and this only checks once per turn whether it is done: on io_uring a flushed
   * write leaves a connection's outbound buffer only when the loop reads its completion, so
   * draining a backlog in one go would pile it up there and cut the subscriber as a slow consumer
   * at {@code --queue-events}.
   */
  void drainAndEndAll(RetryPolicy retry, Promise<Void> done) {
    if (delivering || ((heldCount > 0 || !queue.isEmpty()) && !overrun)) {
      wake();
      // Scheduled, not executed: a task executed now would run before the loop's next I/O.
      loop.schedule(() -> drainAndEndAll(retry, done), 0, TimeUnit.NANOSECONDS);
      return;
    }
    endAll(retry);
    done.setSuccess(null);
  }

  private void endAll(RetryPolicy retry) {
    while (!all.isEmpty()) {
      all.get(all.size() - 1).end(DisconnectReason.SHUTDOWN, retry.nextMillis());
    }
  }

}
