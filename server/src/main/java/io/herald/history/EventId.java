package io.herald.history;

/**
 * An event id: the milliseconds of the wall clock when the event was accepted, and a sequence
 * within that millisecond, written {@code <millis>-<sequence>} (the same shape Redis Streams use).
 *
 * <p>Ids are strictly increasing, and because the first part is the wall clock they stay
 * increasing across a restart: a {@code Last-Event-ID} from before the restart is always older
 * than anything the new process assigns, never mistaken for a newer one.
 */
public record EventId(long millis, long sequence) implements Comparable<EventId> {
  /** Longest text {@link #parse} accepts: two 19-digit longs and a dash. */
  public static final int MAX_TEXT_LENGTH = 39;

  public EventId {
    if (millis < 0 || sequence < 0) {
      throw new IllegalArgumentException("negative event id part");
    }
  }

  /**
   * Parses {@code <millis>-<sequence>}, both plain decimal; returns {@code null} for anything
   * else, so the caller decides how to tell the client (Herald answers with {@code event: reset}).
   */
  public static EventId parse(CharSequence text) {
    if (text == null || text.length() < 3 || text.length() > MAX_TEXT_LENGTH) {
      return null;
    }
    int dash = -1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '-') {
        dash = i;
        break;
      }
    }
    if (dash <= 0 || dash == text.length() - 1) {
      return null;
    }
    long millis = parseDecimal(text, 0, dash);
    long sequence = parseDecimal(text, dash + 1, text.length());
    if (millis < 0 || sequence < 0) {
      return null;
    }
    return new EventId(millis, sequence);
  }

  /** Plain decimal digits only; -1 on anything else or on overflow. */
  private static long parseDecimal(CharSequence text, int from, int to) {
    if (to - from > 19) {
      return -1;
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
      if (value < 0) {
        return -1;
      }
    }
    return value;
  }

  @Override
  public int compareTo(EventId other) {
    int byMillis = Long.compare(millis, other.millis);
    return byMillis != 0 ? byMillis : Long.compare(sequence, other.sequence);
  }

  @Override
  public String toString() {
    return millis + "-" + sequence;
  }
}
