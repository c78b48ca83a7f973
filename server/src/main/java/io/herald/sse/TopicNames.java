package io.herald.sse;

/**
 * The one rule for topic names, shared by subscribers ({@code GET /events?topic=}) and publishers
 * (ingest, {@code POST /publish}), so a topic that can be published can always be subscribed.
 *
 * <p>A topic is 1 to {@value #MAX_LENGTH} characters from {@code [A-Za-z0-9._:-]}, optionally
 * ending in nothing else: no spaces, slashes or wildcards (those would make topic patterns in
 * auth rules ambiguous).
 */
public final class TopicNames {
  public static final int MAX_LENGTH = 128;

  private TopicNames() {}

  /** Returns {@code null} when {@code topic} is valid, else a reason a person can act on. */
  public static String problem(String topic) {
    if (topic == null || topic.isEmpty()) {
      return "topic is empty";
    }
    if (topic.length() > MAX_LENGTH) {
      return "topic is longer than " + MAX_LENGTH + " characters";
    }
    for (int i = 0; i < topic.length(); i++) {
      char c = topic.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-'
              || c == ':';
      if (!ok) {
        return "topic contains '" + printable(c) + "' (allowed: letters, digits, '.', '_', '-', ':')";
      }
    }
    return null;
  }

  public static boolean isValid(String topic) {
    return problem(topic) == null;
  }

  private static String printable(char c) {
    return c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }
}
