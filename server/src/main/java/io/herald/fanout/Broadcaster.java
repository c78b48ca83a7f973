package io.herald.fanout;

import io.herald.history.EventHistory;
import io.herald.history.EventId;
import io.herald.history.EventIdGenerator;
import io.herald.ingest.PublishRequest;
import io.herald.metrics.HeraldStats;
import io.herald.sse.ReplaySource;
import io.herald.sse.RetryPolicy;
import io.herald.sse.SseEncoder;
import io.herald.sse.SseEvent;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseCombiner;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The one path every published event takes: it gets its id, is encoded once, is appended to the
 * history, and is handed to the {@link LoopDispatcher} of every event loop that has a subscriber
 * of its topic (a loop with none is neither handed the event nor woken for it).
 *
 * <p>Those steps happen under one lock, which makes the publishing side a single writer: ids and
 * positions are assigned in the same order the history and the dispatchers see them, an event is
 * acknowledged only once it is in the history, and a subscriber's replay can find out exactly
 * where the live stream takes over ({@link ReplaySource}). The lock is held for an id, an encode
 * and a few queue offers per event; the fan-out to connections happens outside it, on the loops.
 */
public final class Broadcaster implements ReplaySource {
  private final ReentrantLock lock = new ReentrantLock();
  private final ByteBufAllocator alloc;
  private final EventIdGenerator ids;
  private final EventHistory history;
  private final ReplayRuns replayRuns;
  private final LoopDispatcher[] dispatchers;
  private final Map<EventExecutor, LoopDispatcher> byLoop = new IdentityHashMap<>();
  private final HeraldStats stats;
  private final List<Runnable> decongestionWaiters = new CopyOnWriteArrayList<>();
  private final boolean idsFromSharedLog;
  private volatile SharedLog sharedLog; // cluster mode: where replays older than the history go
  private long position;
  private EventId newest; // id of the last event published or delivered; ids only increase
  private boolean closed;

  public Broadcaster(
      EventLoopGroup loops,
      ByteBufAllocator alloc,
      EventHistory history,
      EventIdGenerator ids,
      int ringCapacity,
      HeraldStats stats) {
    this(loops, alloc, history, ids, ringCapacity, stats, false);
  }

  /**
   * @param idsFromSharedLog cluster mode: events arrive through {@link #deliver} in the order of
   *     a log every node reads, so a client's id newer than anything seen here is one this node
   *     has not read yet (see {@link #start})
   */
  public Broadcaster(
      EventLoopGroup loops,
      ByteBufAllocator alloc,
      EventHistory history,
      EventIdGenerator ids,
      int ringCapacity,
      HeraldStats stats,
      boolean idsFromSharedLog) {
    this.idsFromSharedLog = idsFromSharedLog;
    this.alloc = alloc;
    this.history = history;
    this.replayRuns = new ReplayRuns(alloc);
    this.ids = ids;
    this.stats = stats;
    this.position = history.lastPosition();
    List<LoopDispatcher> list = new ArrayList<>();
    for (EventExecutor executor : loops) {
      LoopDispatcher dispatcher = new LoopDispatcher((EventLoop) executor, ringCapacity, stats, this::drained);
      list.add(dispatcher);
      byLoop.put(executor, dispatcher);
    }
    this.dispatchers = list.toArray(new LoopDispatcher[0]);
  }

  /** The dispatcher of the loop a channel runs on. */
  public LoopDispatcher dispatcherFor(EventLoop loop) {
    LoopDispatcher dispatcher = byLoop.get(loop);
    if (dispatcher == null) {
      throw new IllegalArgumentException("not one of Herald's event loops: " + loop);
    }
    return dispatcher;
  }

  /** {@link LoopDispatcher#nudge} for the dispatcher of {@code loop}, if it is one of Herald's. */
  public void nudge(EventLoop loop) {
    LoopDispatcher dispatcher = byLoop.get(loop);
    if (dispatcher != null) {
      dispatcher.nudge();
    }
  }

  public void startSweeping(long intervalNanos) {
    for (LoopDispatcher dispatcher : dispatchers) {
      dispatcher.startSweeping(intervalNanos);
    }
  }

  /**
   * Publishes the events in order and returns their ids. Once this returns, every one of them
   * is in the history and on its way to every subscriber.
   *
   * @throws IllegalStateException when Herald is shutting down (nothing is published)
   */
  public List<String> publish(List<PublishRequest> requests) {
    List<String> published = new ArrayList<>(requests.size());
    long now = System.nanoTime();
    boolean[] offered = new boolean[dispatchers.length];
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("Herald is shutting down");
      }
      for (PublishRequest request : requests) {
        published.add(append(ids.next(), request, now, offered));
      }
    } finally {
      lock.unlock();
    }
    wake(offered);
    stats.published(requests.size());
    return published;
  }

  /**
   * Publishes events whose ids were assigned elsewhere (cluster mode: by Redis), in order, the
   * same way {@link #publish} does: history, then every dispatcher. An event whose id is not
   * newer than the last one is skipped (and counted in the result), so ids in the history and
   * on every stream only increase, whatever the caller sends twice.
   *
   * @return how many events were skipped
   */
  public int deliver(List<Given> events) {
    if (events.isEmpty()) {
      return 0;
    }
    long now = System.nanoTime();
    int skipped = 0;
    boolean[] offered = new boolean[dispatchers.length];
    lock.lock();
    try {
      if (closed) {
        return 0;
      }
      for (Given given : events) {
        if (newest != null && given.id().compareTo(newest) <= 0) {
          skipped++;
          continue;
        }
        append(given.id(), given.request(), now, offered);
      }
    } finally {
      lock.unlock();
    }
    wake(offered);
    stats.published(events.size() - skipped);
    return skipped;
  }

  /**
   * Under the lock: encode once, copy into the history, hand to every dispatcher whose loop has
   * a subscriber of the topic (each queue takes a reference of its own), then let go of the
   * encoder's reference: the event is garbage once every loop has delivered it, young, whatever
   * the history retains.
   *
   * @param offered set for each dispatcher the event was handed to: those to {@link #wake}
   * @return the event's id, as sent to subscribers
   */
  private String append(EventId id, PublishRequest request, long now, boolean[] offered) {
    newest = id;
    SseEvent event =
        SseEncoder.encode(
            alloc, position + 1, id, request.topic(), request.type(), request.data(), now);
    try {
      history.append(event);
      position++;
      for (int i = 0; i < dispatchers.length; i++) {
        LoopDispatcher dispatcher = dispatchers[i];
        if (!dispatcher.wants(event.topic())) {
          continue; // no subscriber of the topic on that loop: no hand-off, no wake-up
        }
        offered[i] = true;
        if (!dispatcher.offer(event)) {
          stats.overrun();
        }
      }
      return event.idText();
    } finally {
      event.release();
    }
  }

  /**
   * After the lock: a drain for every loop that was handed an event (a loop without a subscriber
   * of any of them is not woken: per-user events cost one loop, not all of them).
   */
  private void wake(boolean[] offered) {
    for (int i = 0; i < dispatchers.length; i++) {
      if (offered[i]) {
        dispatchers[i].wake();
      }
    }
  }

  /** An event with the id it was given elsewhere, for {@link #deliver}. */
  public record Given(EventId id, PublishRequest request) {}

  /** Whether some event loop is falling behind: publishers should stop reading for a while. */
  public boolean isCongested() {
    for (LoopDispatcher dispatcher : dispatchers) {
      if (dispatcher.isCongested()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs {@code resume} once no loop is congested any more (at once if none is). Publishers that
   * stopped reading use it to start again; it is checked after every drain.
   */
  public void whenDecongested(Runnable resume) {
    decongestionWaiters.add(resume);
    for (LoopDispatcher dispatcher : dispatchers) {
      dispatcher.wake();
    }
  }

  void drained() {
    if (!decongestionWaiters.isEmpty() && !isCongested()) {
      List<Runnable> ready = new ArrayList<>(decongestionWaiters);
      decongestionWaiters.removeAll(ready);
      ready.forEach(Runnable::run);
    }
  }

  @Override
  public Start start(String lastEventId) {
    lock.lock();
    try {
      long live = history.lastPosition();
      if (lastEventId == null) {
        return new Start(-1, live, false, null);
      }
      EventId id = EventId.parse(lastEventId);
      long from = id == null ? EventHistory.RESET : history.resumePosition(id);
      SharedLog log = sharedLog;
      EventId earliest = history.earliestId();
      if (from == EventHistory.RESET
          && log != null
          && id != null
          && earliest != null
          && id.compareTo(earliest) < 0) {
        // Older than this node's history: the shared log may still have it. The log part ends
        // where the history begins, and the history part is an ordinary replay from there.
        stats.replayRequested();
        return new Start(history.firstPosition(), live, false, null, null, id, earliest);
      }
      if (from == EventHistory.RESET && isAheadOfThisNode(id)) {
        // Every event up to the client's id reached it elsewhere; everything after it comes
        // through this node's reader, after the newest event here: live, skipping until past it.
        stats.replayRequested();
        return new Start(-1, live, false, null, id);
      }
      if (from == EventHistory.RESET) {
        stats.reset();
        return new Start(-1, live, true, history.earliestId());
      }
      stats.replayRequested();
      return new Start(from, live, false, null);
    } finally {
      lock.unlock();
    }
  }

  /** Cluster mode: replays older than the history are served from {@code log}. */
  public void replayOlderEventsFrom(SharedLog log) {
    this.sharedLog = log;
  }

  @Override
  public void replayFromLog(
      EventId after,
      boolean first,
      EventId before,
      Predicate<String> topics,
      int maxEvents,
      java.util.function.BiConsumer<LogPage, Throwable> then) {
    SharedLog log = sharedLog;
    int asked = first ? maxEvents + 1 : maxEvents;
    log.range(after, first, before, asked)
        .whenComplete(
            (entries, failure) -> {
              if (failure != null) {
                then.accept(null, failure);
                return;
              }
              if (first && (entries.isEmpty() || !entries.get(0).id().equals(after))) {
                stats.reset();
                then.accept(
                    new LogPage(
                        List.of(), null, true, true, entries.isEmpty() ? before : entries.get(0).id()),
                    null);
                return;
              }
              List<SseEvent> events = new ArrayList<>(entries.size());
              long now = System.nanoTime();
              for (int i = first ? 1 : 0; i < entries.size(); i++) {
                Given given = entries.get(i);
                PublishRequest request = given.request();
                if (topics.test(request.topic())) {
                  // Position 0: not in this node's history; the subscriber does not track it.
                  events.add(
                      SseEncoder.encode(
                          alloc, 0, given.id(), request.topic(), request.type(), request.data(), now));
                }
              }
              stats.replayed(events.size());
              EventId last = entries.get(entries.size() - 1).id();
              then.accept(new LogPage(events, last, entries.size() < asked, false, null), null);
            });
  }

  /**
   * Cluster mode: whether {@code id} is one the shared log has but this node's reader has not
   * delivered yet — newer than the newest event here, and not from the future (more than
   * {@link #AHEAD_TOLERANCE_MILLIS} past this node's clock: a client that made it up would only
   * skip its own events, but a reset is the honest answer). Only once this node has read
   * something: with nothing read, an id from a log that lost events cannot be told apart.
   */
  private boolean isAheadOfThisNode(EventId id) {
    return idsFromSharedLog
        && id != null
        && newest != null
        && id.compareTo(newest) > 0
        && id.millis() <= System.currentTimeMillis() + AHEAD_TOLERANCE_MILLIS;
  }

  /** How far past this node's clock a cluster id may be (clocks of Redis and nodes differ). */
  static final long AHEAD_TOLERANCE_MILLIS = 10_000;

  @Override
  public Step replay(
      long from, Predicate<String> topics, int maxEvents, long maxBytes, List<SseEvent> out) {
    lock.lock();
    try {
      long next = history.collect(from, topics, maxEvents, maxBytes, out);
      stats.replayed(out.size());
      return new Step(next, next == history.lastPosition() + 1);
    } finally {
      lock.unlock();
    }
  }

  /**
   * A subscriber of one topic: clients that resume from the same position (a reconnect storm)
   * share one run of the events they missed ({@link ReplayRuns}); "caught up" is still decided
   * only by a step over the history.
   */
  @Override
  public Step replay(long from, String topic, int maxEvents, long maxBytes, List<SseEvent> out) {
    lock.lock();
    try {
      replayRuns.forgetBefore(history.firstPosition());
      ReplayRuns.Run run = replayRuns.get(from, topic);
      if (run != null && run.events().count() <= maxEvents && run.events().size() <= maxBytes) {
        out.add(run.events().retain());
        stats.replayed(run.events().count());
        return new Step(run.next(), false);
      }
      long next = history.collect(from, topic::equals, maxEvents, maxBytes, out);
      stats.replayed(out.size());
      boolean caughtUp = next == history.lastPosition() + 1;
      if (next >= 0 && out.size() >= 2) {
        replayRuns.keep(from, topic, next, out);
      }
      return new Step(next, caughtUp);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops publishing, delivers what every loop still has queued, then ends every stream with a
   * jittered {@code retry:}. The future completes when every loop has done so.
   */
  public Future<Void> shutdown(RetryPolicy retry) {
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
    }
    Promise<Void> done = GlobalEventExecutor.INSTANCE.newPromise();
    PromiseCombiner combiner = new PromiseCombiner(GlobalEventExecutor.INSTANCE);
    GlobalEventExecutor.INSTANCE.execute(
        () -> {
          for (LoopDispatcher dispatcher : dispatchers) {
            Promise<Void> ended = dispatcher.loop().newPromise();
            dispatcher.loop().execute(() -> dispatcher.drainAndEndAll(retry, ended));
            combiner.add(ended);
          }
          combiner.finish(done);
        });
    return done;
  }

  /** Releases the retained history; call after the loops have stopped. */
  public void releaseHistory() {
    lock.lock();
    try {
      history.clear();
      replayRuns.clear();
    } finally {
      lock.unlock();
    }
  }

  /** A consistent view of the history for {@code /stats}. */
  public HistoryView historyView() {
    lock.lock();
    try {
      EventId earliest = history.earliestId();
      return new HistoryView(
          history.size(), history.bytes(), earliest == null ? null : earliest.toString());
    } finally {
      lock.unlock();
    }
  }

  public record HistoryView(int events, long bytes, String earliestId) {}
}
