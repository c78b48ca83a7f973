package io.herald.load.measure;

import java.util.HashSet;
import java.util.Set;

/**
 * What one subscriber received of its topic's sequence 1, 2, 3, …: a number above the next
 * expected one opens a gap (those events are missing); a number below it is either a missing
 * one arriving late (out of order) or one already received (a duplicate). In the normal case —
 * everything in order — it keeps two counters and no set.
 */
public final class SequenceCheck {
  /** Missing numbers remembered to tell late arrivals from duplicates; beyond, gaps only count. */
  private static final int MAX_REMEMBERED = 10_000;

  private long next = 1;
  private long received;
  private long missing;
  private long duplicates;
  private long outOfOrder;
  private Set<Long> gaps;

  public void received(long sequence) {
    received++;
    if (sequence == next) {
      next++;
    } else if (sequence > next) {
      if (gaps == null) {
        gaps = new HashSet<>();
      }
      for (long s = next; s < sequence && gaps.size() < MAX_REMEMBERED; s++) {
        gaps.add(s);
      }
      missing += sequence - next;
      next = sequence + 1;
    } else if (gaps != null && gaps.remove(sequence)) {
      missing--;
      outOfOrder++;
    } else {
      duplicates++;
    }
  }

  /** The highest number received so far (0: none yet). */
  public long highest() {
    return next - 1;
  }

  public long received() {
    return received;
  }

  /** Events never received, once {@code published} events were published to the topic. */
  public long lost(long published) {
    return missing + Math.max(0, published - (next - 1));
  }

  /**
   * Events never received of the {@code published} ones, leaving out those {@code refused} (the
   * server said it did not take them). Refused numbers among gaps beyond the remembered ones
   * still count as lost.
   */
  public long lost(long published, java.util.function.LongPredicate refused) {
    long lost = lost(published);
    if (gaps != null) {
      for (long s : gaps) {
        if (refused.test(s)) {
          lost--;
        }
      }
    }
    for (long s = next; s <= published; s++) {
      if (refused.test(s)) {
        lost--;
      }
    }
    return lost;
  }

  public long duplicates() {
    return duplicates;
  }

  /** Events that arrived after a later one. */
  public long outOfOrder() {
    return outOfOrder;
  }
}
