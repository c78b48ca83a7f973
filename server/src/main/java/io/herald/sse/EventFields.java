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
}
