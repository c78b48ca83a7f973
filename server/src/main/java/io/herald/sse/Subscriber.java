package io.herald.sse;

import io.herald.history.EventId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One client's subscription: which topics it reads, what it has been sent, and its bounded
 * outbound queue. This is the one place that decides what a subscriber receives, whatever the
 * protocol ({@link EventStream} only frames and writes).
 *
 * <p>The seam between replay and live delivery: a subscriber first replays from the history in
 * steps while live events for it are skipped, then, once a replay step finds nothing newer, it
 * takes live events from its dispatcher. Every event is delivered only if its position is past
 * {@link #deliveredPosition}, so nothing at the seam is sent twice, and nothing is missed because
 * "caught up" is decided under the publishing lock. A live event skipped while replaying is in
 * the history already (it is appended before it is handed to a dispatcher), so a later step
 * replays it, in order, however many turns of the loop the replay takes.
 *
 * <p>The subscriber never decides when its replay steps run: it asks its {@link Owner} ({@link
 * Owner#replayPending}), which runs {@link #replayStep} within a budget per turn of its event
 * loop, so a thousand replays cannot hold the loop away from the streams that are live.
 *
 * <p>Owned by one event loop: every method runs on the loop of the subscriber's channel.
 */
public final class Subscriber {
  /** What a subscriber needs from the dispatcher that owns it. */
  public interface Owner {
    void remove(Subscriber subscriber);

    void disconnected(DisconnectReason reason);

    /** Where work that completes elsewhere (a page of the shared log) comes back to. */
    default java.util.concurrent.Executor executor() {
      return Runnable::run;
    }

    /**
     * The subscriber has history to replay and its connection can take it: run {@link
     * #replayStep} for it while {@link #canReplay}, now or in later turns of its event loop.
     * This default replays everything at once (an owner with no loop to share, as in tests).
     */
    default void replayPending(Subscriber subscriber) {
      ReplayBudget unbounded = new ReplayBudget(Integer.MAX_VALUE, Long.MAX_VALUE);
      while (subscriber.canReplay()) {
        subscriber.replayStep(unbounded, System.nanoTime());
      }
    }
  }

  /**
   * What replay steps may still write in one turn of an event loop, counted down by {@link
   * #replayStep}. Owned by the loop's thread.
   */
  public static final class ReplayBudget {
    int events;
    long bytes;

    public ReplayBudget(int events, long bytes) {
      this.events = events;
      this.bytes = bytes;
    }

    public boolean isSpent() {
      return events <= 0 || bytes <= 0;
    }
  }

  private final EventStream stream;
  private final String[] topics;
  private final int[] slots;
  private final Set<String> topicSet;
  private final Limits limits;
  private final ReplaySource replaySource;
  private Owner owner;

  private long deliveredPosition;
  private EventId skipThrough; // see ReplaySource.Start#skipThrough; null once past it
  private EventId logCursor; // replaying from the shared log, after this id; null otherwise
  private EventId logBefore;
  private boolean logFirstPage;
  private boolean fetching; // a page of the shared log is on its way
  private long liveAtStart;
  private long replayFrom = -1;
  private long lastWriteNanos;
  private long unwritableSinceNanos;
  private boolean closed;
  private Runnable closeAction;
  private boolean dirty;
  private boolean replayQueued; // in its owner's queue of pending replays

  /**
   * Per-subscriber bounds, from the configuration.
   *
   * @param queueEvents writes waiting for the kernel beyond which the client is cut off
   * @param queueBytes bytes waiting for the kernel beyond which the client is cut off
   * @param heartbeatNanos idle time after which a {@code : ping} comment is written
   * @param stallNanos time a connection may stay unwritable before it is cut off
   */
  public record Limits(int queueEvents, long queueBytes, long heartbeatNanos, long stallNanos) {}

  public Subscriber(
      EventStream stream, List<String> topics, Limits limits, ReplaySource replaySource) {
    this.stream = stream;
    this.topics = topics.stream().distinct().toArray(String[]::new);
    this.slots = new int[this.topics.length + 1];
    this.topicSet = Set.copyOf(topics);
    this.limits = limits;
    this.replaySource = replaySource;
  }

  public String[] topics() {
    return topics;
  }

  /** Whether this subscription is one of several streams on an HTTP/2 connection. */
  public boolean isHttp2() {
    return stream.isMultiplexed();
  }

  /**
   * The subscriber's place in its dispatcher's set for {@code topics()[i]}; index {@code
   * topics().length} is its place in the set of all the dispatcher's subscribers.
   */
  public int slot(int i) {
    return slots[i];
  }

  public void slot(int i, int slot) {
    slots[i] = slot;
  }

  public boolean isClosed() {
    return closed;
  }

  public boolean isReplaying() {
    return replayFrom >= 0;
  }

  /** Whether this subscriber is in its owner's queue of pending replays (the owner keeps it). */
  public boolean isReplayQueued() {
    return replayQueued;
  }

  public void replayQueued(boolean queued) {
    replayQueued = queued;
  }

  /**
   * Whether a {@link #replayStep} would write now: open, replaying from the history (not waiting
   * for the shared log), and its connection below its high-water mark.
   */
  public boolean canReplay() {
    return !closed && replayFrom >= 0 && logCursor == null && stream.isWritable();
  }

  /**
   * Starts the subscription once its response headers are written: replays what the client
   * missed, or tells it that it cannot resume ({@code event: reset}), then goes live.
   */
  public void start(Owner owner, String lastEventId, long nowNanos) {
    this.owner = owner;
    this.lastWriteNanos = nowNanos;
    ReplaySource.Start start = replaySource.start(lastEventId);
    deliveredPosition = start.livePosition();
    skipThrough = start.skipThrough();
    if (start.reset()) {
      stream.writeText(SseFrames.reset(start.earliest()));
    }
    if (start.logAfter() != null) {
      // Cluster mode, an id older than this node's history: the shared log first (live events
      // are skipped meanwhile, replayFrom being set), then the history from replayFrom on.
      replayFrom = start.replayFrom();
      liveAtStart = start.livePosition();
      logCursor = start.logAfter();
      logBefore = start.logBefore();
      logFirstPage = true;
      fetchFromLog();
      return;
    }
    stream.flush(); // the opening goes out now; a replay follows in its owner's turns
    if (start.replayFrom() >= 0) {
      replayFrom = start.replayFrom();
      owner.replayPending(this);
    }
  }

  /**
   * Writes a live event if this subscriber should have it, without flushing.
   *
   * @return whether something was written (the dispatcher flushes it at the end of its batch)
   */
  public boolean offer(SseEvent event, long nowNanos) {
    if (closed || replayFrom >= 0 || event.position() <= deliveredPosition) {
      return false;
    }
    deliveredPosition = event.position();
    if (skipThrough != null) {
      if (event.id().compareTo(skipThrough) <= 0) {
        return false; // the client had it from another node
      }
      skipThrough = null;
    }
    if (stream.queuedWrites() >= limits.queueEvents()
        || stream.queuedBytes() + event.size() > limits.queueBytes()) {
      cut(DisconnectReason.SLOW_CONSUMER);
      return false;
    }
    stream.writeEvent(event);
    lastWriteNanos = nowNanos;
    return true;
  }

  /**
   * Whether a run of events can be {@link #offer offered} whole: this subscriber is live (not
   * closed, not replaying) and has none of them yet. Otherwise its events go one by one.
   */
  public boolean takesWhole(SseEvent run) {
    return !closed && replayFrom < 0 && skipThrough == null && deliveredPosition < run.firstPosition();
  }

  /** Marks this subscriber as written in the current batch; true the first time. */
  public boolean markDirty() {
    if (dirty) {
      return false;
    }
    dirty = true;
    return true;
  }

  public void flush() {
    dirty = false;
    if (!closed) {
      stream.flush();
    }
  }

  /** The connection can take more again: continue a replay that waited for it. */
  public void writable(long nowNanos) {
    if (closed) {
      return;
    }
    if (logCursor != null) {
      if (!fetching) {
        fetchFromLog();
      }
    } else if (replayFrom >= 0) {
      owner.replayPending(this);
    }
  }

  private void fetchFromLog() {
    fetching = true;
    Owner loop = owner;
    replaySource.replayFromLog(
        logCursor,
        logFirstPage,
        logBefore,
        topicSet::contains,
        Math.max(1, limits.queueEvents() / 2),
        (page, failure) -> loop.executor().execute(() -> onLogPage(page, failure)));
  }

  private void onLogPage(ReplaySource.LogPage page, Throwable failure) {
    fetching = false;
    if (closed || failure != null) {
      if (page != null) {
        page.events().forEach(SseEvent::release);
      }
      cut(DisconnectReason.REPLAY_OVERRUN); // it reconnects and tries again
      return;
    }
    long now = System.nanoTime();
    lastWriteNanos = now;
    if (page.missing()) {
      // The log no longer has the client's id: a reset, then what came after the decision.
      page.events().forEach(SseEvent::release);
      logCursor = null;
      stream.writeText(SseFrames.reset(page.earliest()));
      replayFrom = liveAtStart + 1;
      stream.flush();
      owner.replayPending(this);
      return;
    }
    try {
      for (SseEvent event : page.events()) {
        stream.writeEvent(event);
      }
    } finally {
      page.events().forEach(SseEvent::release);
    }
    logFirstPage = false;
    if (page.done()) {
      logCursor = null;
      stream.flush();
      owner.replayPending(this); // the history from replayFrom: the same seam as any replay
      return;
    }
    logCursor = page.last();
    stream.flush();
    if (stream.isWritable()) {
      fetchFromLog();
    }
  }

  /**
   * One step of the replay, if {@link #canReplay}: at most half the queue bound, and at most what
   * is left of {@code budget} (which it counts down), written and flushed. A step always takes at
   * least one event's worth of the budget, so a turn of steps ends even if each finds nothing.
   */
  public void replayStep(ReplayBudget budget, long nowNanos) {
    if (!canReplay()) {
      return;
    }
    List<SseEvent> batch = new ArrayList<>();
    int maxEvents = Math.max(1, Math.min(budget.events, limits.queueEvents() / 2));
    long maxBytes = Math.max(1, Math.min(budget.bytes, limits.queueBytes() / 2));
    ReplaySource.Step step =
        topics.length == 1
            ? replaySource.replay(replayFrom, topics[0], maxEvents, maxBytes, batch)
            : replaySource.replay(replayFrom, topicSet::contains, maxEvents, maxBytes, batch);
    long bytes = 0;
    int events = 0;
    try {
      for (SseEvent event : batch) {
        stream.writeEvent(event); // one event, or a run of them (the last one's position)
        deliveredPosition = event.position();
        bytes += event.size();
        events += event.count();
      }
    } finally {
      for (SseEvent event : batch) {
        event.release();
      }
    }
    budget.events -= Math.max(1, events);
    budget.bytes -= Math.max(1, bytes);
    if (step.next() < 0) {
      cut(DisconnectReason.REPLAY_OVERRUN);
      return;
    }
    lastWriteNanos = nowNanos;
    if (step.caughtUp()) {
      deliveredPosition = step.next() - 1;
      replayFrom = -1;
    } else {
      replayFrom = step.next();
    }
    stream.flush();
  }

  /**
   * Periodic upkeep from the dispatcher: a heartbeat comment on an idle stream, and the cut-off
   * of a connection that has stayed unwritable too long.
   */
  public void sweep(long nowNanos) {
    if (closed) {
      return;
    }
    if (!stream.isWritable()) {
      if (unwritableSinceNanos == 0) {
        unwritableSinceNanos = nowNanos;
      } else if (nowNanos - unwritableSinceNanos >= limits.stallNanos()) {
        cut(DisconnectReason.STALLED);
        return;
      }
    } else {
      unwritableSinceNanos = 0;
    }
    if (nowNanos - lastWriteNanos >= limits.heartbeatNanos()) {
      stream.writeText(SseFrames.HEARTBEAT);
      stream.flush();
      lastWriteNanos = nowNanos;
    }
  }

  /** Cuts the client off at once; it reconnects and resumes from its last id. */
  public void cut(DisconnectReason reason) {
    if (closeOnce(reason)) {
      stream.abort();
    }
  }

  /** Asks the client to come back after {@code retryMillis} and ends the stream cleanly. */
  public void end(DisconnectReason reason, long retryMillis) {
    if (closeOnce(reason)) {
      stream.end(SseFrames.retry(retryMillis));
    }
  }

  /**
   * Runs {@code action} once when this subscription ends, for whatever reason (at once if it
   * already has). On the subscriber's event loop, like everything else here.
   */
  public void whenClosed(Runnable action) {
    if (closed) {
      action.run();
    } else {
      Runnable before = closeAction;
      closeAction = before == null ? action : () -> { before.run(); action.run(); };
    }
  }

  /** The connection closed underneath us. */
  public void connectionClosed() {
    closeOnce(DisconnectReason.CLIENT_GONE);
  }

  private boolean closeOnce(DisconnectReason reason) {
    if (closed) {
      return false;
    }
    closed = true;
    if (closeAction != null) {
      closeAction.run();
      closeAction = null;
    }
    if (owner != null) {
      owner.disconnected(reason);
      owner.remove(this);
    }
    return true;
  }
}
