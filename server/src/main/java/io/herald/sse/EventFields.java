package io.herald.sse;

/**
 * Rules for the single-line SSE fields ({@code id:} and {@code event:}), checked at ingest so a
 * bad value is refused with an error and never reaches the wire.
 *
 * <p>A CR or LF inside either field would end the field early and let the rest be read as new
 * fields (stream injection); a NUL makes browsers ignore an {@code id}. Both fields are kept short
 * because they are repeated in every event.
 */
public final class EventFields {
  public static final int MAX_TYPE_LENGTH = 128;

  private EventFields() {}

  /** Returns {@code null} when {@code type} may be written as {@code event:}, else the reason. */
  public static String typeProblem(String type) {
    if (type.isEmpty()) {
      return "event type is empty (leave it out for the default 'message')";
    }
    if (type.length() > MAX_TYPE_LENGTH) {
      return "event type is longer than " + MAX_TYPE_LENGTH + " characters";
    }
    for (int i = 0; i < type.length(); i++) {
      char c = type.charAt(i);
      if (c == '\r' || c == '\n' || c == '\0') {
        return "event type contains CR, LF or NUL";
      }
    }
    return null;
  }

  /**
   * Returns {@code null} when {@code text} is well-formed UTF-16 (so it has a UTF-8 form), else
   * the reason. JSON's {@code \\ud800} escapes let a publisher put a lone surrogate into a
   * Java string; Herald refuses it at ingest, as it refuses invalid UTF-8 bytes.
   */
  public static String unicodeProblem(String text) {
    return loneSurrogateAt(text) < 0 ? null : "contains a lone surrogate (not valid Unicode)";
  }

  /**
   * {@code text} with every lone surrogate replaced by U+FFFD, or {@code text} itself when it has
   * none. The encoder's last line of defence: Netty's UTF-8 writer turns a high surrogate
   * followed by another character into {@code ?} plus that character's low byte written raw, so
   * {@code "\\ud800\\u010a"} would put a bare LF on the wire (a forged field) and {@code
   * "\\ud800é"} invalid UTF-8.
   */
  public static String wellFormed(String text) {
    int at = loneSurrogateAt(text);
    if (at < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length()).append(text, 0, at);
    for (int i = at; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        out.append('\uFFFD');
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Index of the first surrogate that is not half of a pair, or -1. */
  private static int loneSurrogateAt(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }
}
