package io.herald.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The common {@code POST /publish} body read without Jackson: one object, written compactly in
 * printable ASCII, whose {@code data} (if not a string) is taken as the bytes it came as.
 *
 * <p>Why: reading such a body into a Jackson tree and writing its {@code data} back out as
 * compact JSON was most of the JSON cost of a publish (bench/RESULTS.md, session 7). When the
 * body is already in the form {@link EventJsonParser} would write it in, the bytes are the
 * answer.
 *
 * <p>What it guarantees: {@link #scan} gives a result only for bodies on which the tree would
 * give exactly the same fields, and null for everything else, which then goes to the tree as
 * before. So it accepts only: an object with the keys {@code topic}, {@code event}, {@code data}
 * (each at most once), nothing before or after it, no whitespace outside strings, strings of
 * printable ASCII without escapes, integers in their canonical form (no {@code -0}, at most 18
 * digits: Jackson would write a fraction or an exponent otherwise), {@code true}, {@code false},
 * {@code null}, no duplicate keys at any depth, at most {@link #MAX_DEPTH} levels. Every check
 * on the fields themselves (topic names, event types) stays in {@link EventJsonParser}.
 */
final class CompactBody {
  /** Deeper bodies go to the tree, which enforces {@link EventJsonParser#MAX_NESTING}. */
  static final int MAX_DEPTH = 16;
  /** Objects with more keys go to the tree: the duplicate check here is pairwise. */
  static final int MAX_KEYS = 16;
  /** Longer integers go to the tree (Jackson's own length limit is far above). */
  private static final int MAX_DIGITS = 18;

  private static final byte[] TOPIC = "topic".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);

  /**
   * The fields of a compact body, as the tree would have read them.
   *
   * @param topic null when absent
   * @param event the type, null when absent or JSON {@code null}
   * @param hasEvent whether there was an {@code event} key
   * @param data null when absent
   */
  record Fields(String topic, String event, boolean hasEvent, String data) {}

  private final byte[] b;
  private final int end;

  private CompactBody(byte[] bytes, int end) {
    this.b = bytes;
    this.end = end;
  }

  /** The fields of {@code bytes[0, length)}, or null when the body is not of the compact form. */
  static Fields scan(byte[] bytes, int length) {
    return new CompactBody(bytes, length).body();
  }

  private Fields body() {
    if (end < 2 || b[0] != '{' || b[end - 1] != '}') {
      return null;
    }
    String topic = null;
    String event = null;
    boolean hasEvent = false;
    String data = null;
    int i = 1;
    if (b[i] == '}') {
      return i + 1 == end ? new Fields(null, null, false, null) : null;
    }
    while (true) {
      int keyEnd = string(i);
      if (keyEnd < 0 || keyEnd >= end || b[keyEnd] != ':') {
        return null;
      }
      int valueStart = keyEnd + 1;
      int valueEnd;
      if (is(i, keyEnd, TOPIC)) {
        valueEnd = string(valueStart);
        if (topic != null || valueEnd < 0) {
          return null; // a duplicate, or a topic that is not a string: the tree's to refuse
        }
        topic = ascii(valueStart + 1, valueEnd - 1);
      } else if (is(i, keyEnd, EVENT)) {
        if (hasEvent) {
          return null;
        }
        hasEvent = true;
        valueEnd = string(valueStart);
        if (valueEnd >= 0) {
          event = ascii(valueStart + 1, valueEnd - 1);
        } else if ((valueEnd = literal(valueStart, "null")) < 0) {
          return null;
        }
      } else if (is(i, keyEnd, DATA)) {
        if (data != null) {
          return null;
        }
        valueEnd = string(valueStart);
        if (valueEnd >= 0) {
          data = ascii(valueStart + 1, valueEnd - 1);
        } else {
          valueEnd = value(valueStart, 2);
          if (valueEnd < 0) {
            return null;
          }
          data = ascii(valueStart, valueEnd);
        }
      } else {
        return null; // unknown fields: the tree's message
      }
      if (valueEnd >= end) {
        return null;
      }
      if (b[valueEnd] == '}') {
        return valueEnd + 1 == end ? new Fields(topic, event, hasEvent, data) : null;
      }
      if (b[valueEnd] != ',') {
        return null;
      }
      i = valueEnd + 1;
    }
  }

  /** A value at {@code i} at nesting {@code depth}: its end, or -1 when not of the compact form. */
  private int value(int i, int depth) {
    if (i >= end) {
      return -1;
    }
    byte c = b[i];
    return switch (c) {
      case '{' -> object(i, depth + 1);
      case '[' -> array(i, depth + 1);
      case '"' -> string(i);
      case 't' -> literal(i, "true");
      case 'f' -> literal(i, "false");
      case 'n' -> literal(i, "null");
      default -> c == '-' || (c >= '0' && c <= '9') ? integer(i) : -1;
    };
  }

  private int object(int i, int depth) {
    if (depth > MAX_DEPTH) {
      return -1;
    }
    i++;
    if (i < end && b[i] == '}') {
      return i + 1;
    }
    int[] keys = new int[MAX_KEYS * 2];
    int count = 0;
    while (true) {
      int keyEnd = string(i);
      if (keyEnd < 0 || keyEnd >= end || b[keyEnd] != ':' || count == MAX_KEYS) {
        return -1;
      }
      for (int k = 0; k < count; k++) {
        if (Arrays.equals(b, keys[2 * k], keys[2 * k + 1], b, i, keyEnd)) {
          return -1; // a duplicate key: the tree refuses it
        }
      }
      keys[2 * count] = i;
      keys[2 * count + 1] = keyEnd;
      count++;
      int valueEnd = value(keyEnd + 1, depth);
      if (valueEnd < 0 || valueEnd >= end) {
        return -1;
      }
      if (b[valueEnd] == '}') {
        return valueEnd + 1;
      }
      if (b[valueEnd] != ',') {
        return -1;
      }
      i = valueEnd + 1;
    }
  }

  private int array(int i, int depth) {
    if (depth > MAX_DEPTH) {
      return -1;
    }
    i++;
    if (i < end && b[i] == ']') {
      return i + 1;
    }
    while (true) {
      int valueEnd = value(i, depth);
      if (valueEnd < 0 || valueEnd >= end) {
        return -1;
      }
      if (b[valueEnd] == ']') {
        return valueEnd + 1;
      }
      if (b[valueEnd] != ',') {
        return -1;
      }
      i = valueEnd + 1;
    }
  }

  /** A string of printable ASCII without escapes at {@code i}: the index after its closing quote. */
  private int string(int i) {
    if (i >= end || b[i] != '"') {
      return -1;
    }
    for (int j = i + 1; j < end; j++) {
      byte c = b[j];
      if (c == '"') {
        return j + 1;
      }
      if (c < 0x20 || c > 0x7e || c == '\\') {
        return -1;
      }
    }
    return -1;
  }

  /** An integer as Jackson writes it: no {@code -0}, no leading zero, no fraction or exponent. */
  private int integer(int i) {
    int j = i;
    if (b[j] == '-') {
      j++;
    }
    int digits = j;
    while (j < end && b[j] >= '0' && b[j] <= '9') {
      j++;
    }
    int count = j - digits;
    if (count == 0 || count > MAX_DIGITS || (b[digits] == '0' && (count > 1 || digits > i))) {
      return -1;
    }
    // What follows must end the value; a '.', 'e' or 'E' here would be written another way.
    return j < end && (b[j] == '.' || b[j] == 'e' || b[j] == 'E') ? -1 : j;
  }

  private int literal(int i, String word) {
    int n = word.length();
    if (i + n > end) {
      return -1;
    }
    for (int k = 0; k < n; k++) {
      if (b[i + k] != word.charAt(k)) {
        return -1;
      }
    }
    return i + n;
  }

  /** Whether the key string at {@code [quote, afterQuote)} is {@code name}. */
  private boolean is(int quote, int afterQuote, byte[] name) {
    return Arrays.equals(b, quote + 1, afterQuote - 1, name, 0, name.length);
  }

  private String ascii(int from, int to) {
    return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
  }
}
