package io.herald.history;

import io.herald.sse.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.internal.ObjectUtil;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The retained events, oldest first, bounded both in count and in bytes: what a reconnecting
 * client replays from.
 *
 * <p>Events arrive with contiguous positions, so an event is found by position in O(1) and by id
 * by binary search (ids increase with position).
 *
 * <p>Retaining an event costs the garbage collector nothing: the history keeps no Java object per
 * event. What it needs of an event (id, topic, where its bytes are) is in primitive arrays
 * indexed by the event's slot ({@code position % length}), grown by doubling up to {@code
 * maxEvents} as events are retained (a large {@code maxEvents} that the byte bound never lets
 * fill costs nothing), then reused as a ring; the bytes — the
 * event's HTTP/1.1 chunk, as encoded — are copied into <em>segments</em>, large pooled direct
 * buffers filled one after the other; topics are kept once per topic, not per event. At 100,000
 * events/s the history holds about a second of events, longer than the interval between young
 * collections, and one object graph per event made every one of them copied by every young
 * collection until it was promoted (pauses of 25–43 ms every 0.33 s; bench/RESULTS.md).
 *
 * <p>Reference counting: the history owns one reference to each segment and releases it once
 * the last event in the segment is evicted. {@link #append} copies the event and leaves the
 * caller's reference alone. {@link #collect} hands out each event as a new {@link SseEvent} over
 * a retained slice of its segment, so a replay still being written keeps its segment's memory
 * alive after the history has let go of it; the bytes are never overwritten, only released.
 * (A replayed event keeps its whole segment, not only its own bytes; what a replayer may hold
 * is bounded by its queue and its stall timeout, and every replayer shares the same segments.)
 *
 * <p>Not thread-safe: the publishing path guards it with its lock, and readers take what they
 * need (each event retained) under the same lock.
 */
public final class EventHistory {
  /** Where a resume starts; {@code RESET} when the id cannot be resumed from. */
  public static final long RESET = -1;

  /**
   * Size of a segment of the byte store: large enough that a second of small events needs a
   * few hundred buffers, not one each; small enough to stay in the allocator's pooled sizes. An
   * event larger than this gets a segment of its own size.
   */
  static final int SEGMENT_SIZE = 64 * 1024;

  /** Slots the arrays start with; they double, up to {@code maxEvents}, when full. */
  static final int INITIAL_SLOTS = 1024;

  private final ByteBufAllocator alloc;
  private final long maxBytes;
  private final int capacity;
  private final int segmentSize;

  // One entry per retained event, at slot(position); all of the same length.
  private long[] millis;
  private long[] sequences;
  private long[] acceptedNanos;
  private int[] topicOf; // index into the topic table
  private int[] segmentOf; // number of the segment holding the event's bytes
  private int[] offsets; // where the event's chunk starts in its segment
  private int[] lengths; // the chunk's length: what the event costs a subscriber's queue
  private byte[] payloadOffsets; // where the event-stream text starts in the chunk

  private final Topics topics = new Topics();
  private final Segments segments = new Segments();

  private long first = 1; // position of the oldest retained event
  private long next = 1; // position the next appended event must have
  private long bytes;
  private boolean evictedAny;
  private long lastEvictedMillis;
  private long lastEvictedSequence;

  /** A history whose segments come from Netty's default allocator. */
  public EventHistory(int maxEvents, long maxBytes) {
    this(maxEvents, maxBytes, ByteBufAllocator.DEFAULT);
  }

  public EventHistory(int maxEvents, long maxBytes, ByteBufAllocator alloc) {
    this(maxEvents, maxBytes, alloc, SEGMENT_SIZE);
  }

  /** @param segmentSize the size of a segment (tests use small ones to cross segments often) */
  EventHistory(int maxEvents, long maxBytes, ByteBufAllocator alloc, int segmentSize) {
    this.capacity = ObjectUtil.checkPositive(maxEvents, "maxEvents");
    this.maxBytes = ObjectUtil.checkPositive(maxBytes, "maxBytes");
    this.alloc = ObjectUtil.checkNotNull(alloc, "alloc");
    this.segmentSize = ObjectUtil.checkPositive(segmentSize, "segmentSize");
    int slots = Math.min(capacity, INITIAL_SLOTS);
    millis = new long[slots];
    sequences = new long[slots];
    acceptedNanos = new long[slots];
    topicOf = new int[slots];
    segmentOf = new int[slots];
    offsets = new int[slots];
    lengths = new int[slots];
    payloadOffsets = new byte[slots];
  }

  /**
   * Copies {@code event} (its bytes into the newest segment, the rest into this event's slot) and
   * evicts the oldest beyond the bounds. The caller's reference to {@code event} stays the
   * caller's: the history holds nothing of it.
   *
   * @throws IllegalStateException when the event's position is not the next one (nothing is
   *     appended)
   */
  public void append(SseEvent event) {
    if (event.position() != next) {
      throw new IllegalStateException(
          "event position " + event.position() + " out of order, expected " + next);
    }
    if (next - first == capacity) {
      evictOldest();
    } else if (next - first == millis.length) {
      grow();
    }
    int length = event.size();
    ByteBuf segment = segments.writableFor(length);
    int slot = slot(next);
    EventId id = event.id();
    millis[slot] = id.millis();
    sequences[slot] = id.sequence();
    acceptedNanos[slot] = event.acceptedNanos();
    topicOf[slot] = topics.add(event.topic());
    segmentOf[slot] = segments.newest();
    offsets[slot] = segment.writerIndex();
    lengths[slot] = length;
    payloadOffsets[slot] = (byte) event.payloadOffset();
    event.copyChunkTo(segment);
    next++;
    bytes += length;
    while (bytes > maxBytes && next - first > 1) {
      evictOldest();
    }
  }

  private void evictOldest() {
    int slot = slot(first);
    bytes -= lengths[slot];
    evictedAny = true;
    lastEvictedMillis = millis[slot];
    lastEvictedSequence = sequences[slot];
    topics.remove(topicOf[slot]);
    first++;
    // Every segment before the oldest retained event's holds evicted events only. The newest
    // segment is kept while the history is not cleared: appends go on filling it.
    segments.releaseBefore(next > first ? segmentOf[slot(first)] : segments.newest());
  }

  /**
   * The position to replay from for a client whose last event was {@code lastId}: the position
   * after it when it is retained, or the oldest retained one when {@code lastId} is exactly the
   * last event evicted (nothing was missed); otherwise {@link #RESET} — too old, unknown, or from
   * the future — because a silent gap is the one thing a resume must never produce.
   */
  public long resumePosition(EventId lastId) {
    if (evictedAny
        && lastId.millis() == lastEvictedMillis
        && lastId.sequence() == lastEvictedSequence) {
      return first;
    }
    long lo = first;
    long hi = next - 1;
    while (lo <= hi) {
      long mid = (lo + hi) >>> 1;
      int slot = slot(mid);
      int cmp = Long.compare(millis[slot], lastId.millis());
      if (cmp == 0) {
        cmp = Long.compare(sequences[slot], lastId.sequence());
      }
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
   * Adds to {@code out}, each a new event the caller owns (one reference, to a slice of the
   * history's bytes), the events from position {@code from} on whose topic passes {@code topics},
   * until {@code maxEvents} or {@code maxBytes} is reached.
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
      int slot = slot(position);
      String topic = this.topics.name(topicOf[slot]);
      if (topics.test(topic)) {
        ByteBuf chunk = segments.get(segmentOf[slot]).retainedSlice(offsets[slot], lengths[slot]);
        out.add(
            SseEvent.stored(
                position,
                new EventId(millis[slot], sequences[slot]),
                topic,
                chunk,
                payloadOffsets[slot],
                acceptedNanos[slot]));
        taken += lengths[slot];
        count++;
      }
      position++;
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
    if (next == first) {
      return null;
    }
    int slot = slot(first);
    return new EventId(millis[slot], sequences[slot]);
  }

  public int size() {
    return (int) (next - first);
  }

  /** Bytes of the retained events' chunks (the bound {@code maxBytes} applies to). */
  public long bytes() {
    return bytes;
  }

  /** How many segments the history holds a reference to (for tests and diagnostics). */
  int segmentCount() {
    return segments.count;
  }

  /** How many distinct topics the retained events have (for tests and diagnostics). */
  int topicCount() {
    return topics.byName.size();
  }

  /** Releases every retained event and segment; the history stays usable and empty. */
  public void clear() {
    while (next > first) {
      evictOldest();
    }
    segments.releaseAll();
  }

  private int slot(long position) {
    return (int) (position % millis.length);
  }

  /** Doubles the arrays (up to {@code capacity}); each retained event moves to its new slot. */
  private void grow() {
    int slots = (int) Math.min(capacity, 2L * millis.length);
    long[] newMillis = new long[slots];
    long[] newSequences = new long[slots];
    long[] newAcceptedNanos = new long[slots];
    int[] newTopicOf = new int[slots];
    int[] newSegmentOf = new int[slots];
    int[] newOffsets = new int[slots];
    int[] newLengths = new int[slots];
    byte[] newPayloadOffsets = new byte[slots];
    for (long position = first; position < next; position++) {
      int from = slot(position);
      int to = (int) (position % slots);
      newMillis[to] = millis[from];
      newSequences[to] = sequences[from];
      newAcceptedNanos[to] = acceptedNanos[from];
      newTopicOf[to] = topicOf[from];
      newSegmentOf[to] = segmentOf[from];
      newOffsets[to] = offsets[from];
      newLengths[to] = lengths[from];
      newPayloadOffsets[to] = payloadOffsets[from];
    }
    millis = newMillis;
    sequences = newSequences;
    acceptedNanos = newAcceptedNanos;
    topicOf = newTopicOf;
    segmentOf = newSegmentOf;
    offsets = newOffsets;
    lengths = newLengths;
    payloadOffsets = newPayloadOffsets;
  }

  /** How many events the arrays can hold before they grow (for tests). */
  int slots() {
    return millis.length;
  }

  /**
   * The byte store: segments numbered in the order they were started, oldest first; the newest
   * is the one being filled. Numbers are ints that may wrap around: only differences between
   * live numbers are used, and fewer than 2^31 segments are ever live at once.
   */
  private final class Segments {
    private ByteBuf[] ring = new ByteBuf[16]; // segment n at n & (length - 1)
    private int oldest; // number of the oldest live segment
    private int count;

    ByteBuf get(int number) {
      return ring[number & (ring.length - 1)];
    }

    int newest() {
      return oldest + count - 1;
    }

    /** The newest segment when {@code length} more bytes fit in it, else a new one. */
    ByteBuf writableFor(int length) {
      if (count > 0) {
        ByteBuf newest = get(newest());
        if (newest.writableBytes() >= length) {
          return newest;
        }
      }
      if (count == ring.length) {
        grow();
      }
      int size = Math.max(segmentSize, length);
      ByteBuf segment = alloc.directBuffer(size, size);
      count++;
      ring[newest() & (ring.length - 1)] = segment;
      return segment;
    }

    /** Releases the history's reference to every segment older than segment {@code number}. */
    void releaseBefore(int number) {
      while (count > 0 && number - oldest > 0) {
        int index = oldest & (ring.length - 1);
        ByteBuf segment = ring[index];
        ring[index] = null;
        oldest++;
        count--;
        segment.release();
      }
    }

    /** Releases every segment; the next one started gets the number after the last. */
    void releaseAll() {
      releaseBefore(oldest + count);
    }

    private void grow() {
      ByteBuf[] larger = new ByteBuf[ring.length * 2];
      for (int i = 0; i < count; i++) {
        int number = oldest + i;
        larger[number & (larger.length - 1)] = get(number);
      }
      ring = larger;
    }
  }

  /**
   * The topics of the retained events, each once, with how many events have it: an event keeps
   * an index into the table, and a topic is forgotten when its last event is evicted.
   */
  private static final class Topics {
    private final Map<String, Topic> byName = new HashMap<>();
    private Topic[] table = new Topic[16];
    private int[] free = new int[16]; // indexes of the table that no topic uses
    private int freeCount;
    private int used; // table[0..used) have been handed out at least once

    int add(String name) {
      Topic topic = byName.get(name);
      if (topic == null) {
        topic = new Topic(name, newIndex());
        byName.put(name, topic);
        table[topic.index] = topic;
      }
      topic.events++;
      return topic.index;
    }

    String name(int index) {
      return table[index].name;
    }

    void remove(int index) {
      Topic topic = table[index];
      if (--topic.events == 0) {
        byName.remove(topic.name);
        table[index] = null;
        if (freeCount == free.length) {
          free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = index;
      }
    }

    private int newIndex() {
      if (freeCount > 0) {
        return free[--freeCount];
      }
      if (used == table.length) {
        table = Arrays.copyOf(table, table.length * 2);
      }
      return used++;
    }
  }

  private static final class Topic {
    final String name;
    final int index;
    int events;

    Topic(String name, int index) {
      this.name = name;
      this.index = index;
    }
  }
}
