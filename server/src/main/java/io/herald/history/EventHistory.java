package io.herald.history;

import io.herald.sse.SseEvent;
import io.netty.util.internal.ObjectUtil;
import java.util.List;
import java.util.function.Predicate;

/**
 * The retained events, oldest first, bounded both in count and in bytes: what a reconnecting
 * client replays from.
 *
 * <p>Events arrive with contiguous positions, so an event is found by position in O(1) and by id
 * by binary search (ids increase with position). The history owns the base reference of every
 * event it holds and releases it on eviction.
 *
 * <p>Not thread-safe: the publishing path guards it with its lock, and readers take what they
 * need (each event retained) under the same lock.
 */
public final class EventHistory {
  /** Where a resume starts; {@code RESET} when the id cannot be resumed from. */
  public static final long RESET = -1;

  private final SseEvent[] ring;
  private final long maxBytes;
  private long first = 1; // position of the oldest retained event
  private long next = 1; // position the next appended event must have
  private long bytes;
  private EventId lastEvicted;

  public EventHistory(int maxEvents, long maxBytes) {
    this.ring = new SseEvent[ObjectUtil.checkPositive(maxEvents, "maxEvents")];
    this.maxBytes = ObjectUtil.checkPositive(maxBytes, "maxBytes");
  }

  /** Takes over the caller's reference to {@code event}; evicts the oldest beyond the bounds. */
  public void append(SseEvent event) {
    if (event.position() != next) {
      event.release();
      throw new IllegalStateException(
          "event position " + event.position() + " out of order, expected " + next);
    }
    if (next - first == ring.length) {
      evictOldest();
    }
    ring[index(next)] = event;
    next++;
    bytes += event.size();
    while (bytes > maxBytes && next - first > 1) {
      evictOldest();
    }
  }

  private void evictOldest() {
    int i = index(first);
    SseEvent old = ring[i];
    ring[i] = null;
    first++;
    bytes -= old.size();
    lastEvicted = old.id();
    old.release();
  }

  /**
   * The position to replay from for a client whose last event was {@code lastId}: the position
   * after it when it is retained, or the oldest retained one when {@code lastId} is exactly the
   * last event evicted (nothing was missed); otherwise {@link #RESET} — too old, unknown, or from
   * the future — because a silent gap is the one thing a resume must never produce.
   */
  public long resumePosition(EventId lastId) {
    if (lastId.equals(lastEvicted)) {
      return first;
    }
    long lo = first;
    long hi = next - 1;
    while (lo <= hi) {
      long mid = (lo + hi) >>> 1;
      int cmp = ring[index(mid)].id().compareTo(lastId);
      if (cmp == 0) {
        return mid + 1;
      }
      if (cmp < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return RESET;
  }

  /**
   * Adds to {@code out}, each retained for the caller, the events from position {@code from} on
   * whose topic passes {@code topics}, until {@code maxEvents} or {@code maxBytes} is reached.
   *
   * @return the position to continue from, or {@link #RESET} when {@code from} was evicted
   *     already (the caller has lost events and must not go on silently)
   */
  public long collect(
      long from, Predicate<String> topics, int maxEvents, long maxBytes, List<SseEvent> out) {
    if (from < first) {
      return RESET;
    }
    long position = from;
    long taken = 0;
    int count = 0;
    while (position < next && count < maxEvents && taken < maxBytes) {
      SseEvent event = ring[index(position)];
      position++;
      if (topics.test(event.topic())) {
        out.add(event.retain());
        taken += event.size();
        count++;
      }
    }
    return position;
  }

  /** Position of the newest event, or {@code first - 1} (0 at start) when none was published. */
  public long lastPosition() {
    return next - 1;
  }

  public long firstPosition() {
    return first;
  }

  /** The id of the oldest retained event, or {@code null} when nothing is retained. */
  public EventId earliestId() {
    return next > first ? ring[index(first)].id() : null;
  }

  public int size() {
    return (int) (next - first);
  }

  public long bytes() {
    return bytes;
  }

  /** Releases every retained event; the history stays usable and empty. */
  public void clear() {
    while (next > first) {
      evictOldest();
    }
  }

  private int index(long position) {
    return (int) (position % ring.length);
  }
}
