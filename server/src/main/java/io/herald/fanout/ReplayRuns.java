package io.herald.fanout;

import io.herald.sse.SseEncoder;
import io.herald.sse.SseEvent;
import io.netty.buffer.ByteBufAllocator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replay steps shared by the subscribers of one topic that resume from the same position: a
 * reconnect storm brings thousands of clients back with the same {@code Last-Event-ID}, and each
 * used to get every missed event as an object and a write of its own (200,000 of each for 10,000
 * clients 20 events behind). The first such step copies its events once into a run (one chunk,
 * as {@link BatchDelivery} does for live batches); every later step from that position gets the
 * same run, one write, shared by reference.
 *
 * <p>A run holds only events published before it was built, which never change, so it stays
 * right for its position for as long as that position is in the history; the caller checks that
 * before asking. It never says "caught up": that is decided by a step over the history itself,
 * under the publishing lock, after the run.
 *
 * <p>Bounded: at most {@link #MAX_RUNS} runs of at most {@link BatchDelivery#MAX_RUN_BYTES}
 * each, the least recently used given back first. Not thread-safe: used under the broadcaster's
 * lock. Holds one reference to each run; {@link #clear} gives them back.
 */
final class ReplayRuns {
  /** Runs kept: positions a storm's clients resume from are few (they all had the newest event). */
  static final int MAX_RUNS = 16;

  /** A run for the events of {@code topic} from {@code from} up to, not including, {@code next}. */
  record Run(SseEvent events, long next) {}

  private record Key(long from, String topic) {}

  private final ByteBufAllocator alloc;
  private final Map<Key, Run> runs =
      new LinkedHashMap<>(MAX_RUNS * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Run> eldest) {
          if (size() > MAX_RUNS) {
            eldest.getValue().events().release();
            return true;
          }
          return false;
        }
      };

  ReplayRuns(ByteBufAllocator alloc) {
    this.alloc = alloc;
  }

  /** The run from {@code from} for {@code topic}, or null. */
  Run get(long from, String topic) {
    return runs.get(new Key(from, topic));
  }

  /**
   * Keeps a step's events ({@code collected}, at least two, every one of {@code topic}, taken
   * from {@code from} up to {@code next}) as a run, unless one as long is kept already or they
   * are too large for one chunk. Takes the caller's references to {@code collected} either way:
   * on return {@code collected} holds what to write (the run, retained for the caller, or the
   * events themselves).
   */
  void keep(long from, String topic, long next, List<SseEvent> collected) {
    Key key = new Key(from, topic);
    Run kept = runs.get(key);
    if (kept != null && kept.events().count() >= collected.size()) {
      return;
    }
    long bytes = 0;
    for (SseEvent event : collected) {
      bytes += event.size();
    }
    if (bytes > BatchDelivery.MAX_RUN_BYTES) {
      return;
    }
    SseEvent run = SseEncoder.run(alloc, collected.toArray(new SseEvent[0]), 0, collected.size());
    for (SseEvent event : collected) {
      event.release();
    }
    collected.clear();
    collected.add(run.retain());
    Run old = runs.put(key, new Run(run, next));
    if (old != null) {
      old.events().release();
    }
  }

  /** Gives back the runs of positions before {@code first} (evicted from the history). */
  void forgetBefore(long first) {
    for (Iterator<Map.Entry<Key, Run>> it = runs.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Run> entry = it.next();
      if (entry.getKey().from() < first) {
        entry.getValue().events().release();
        it.remove();
      }
    }
  }

  void clear() {
    runs.values().forEach(run -> run.events().release());
    runs.clear();
  }

  int size() {
    return runs.size();
  }
}
