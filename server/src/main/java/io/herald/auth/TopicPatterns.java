package io.herald.auth;

import java.util.List;

/**
 * Topic patterns from a token's {@code topics} or {@code publish} claim: an exact topic name, or
 * a prefix followed by a trailing {@code *} ({@code chat.*} matches {@code chat.room1}; a lone
 * {@code *} matches every topic). A {@code *} anywhere else is an ordinary character, and since
 * topic names cannot contain one, such a pattern matches nothing.
 */
public record TopicPatterns(List<String> patterns) {
  public static final TopicPatterns NONE = new TopicPatterns(List.of());

  public TopicPatterns {
    patterns = List.copyOf(patterns);
  }

  public boolean matches(String topic) {
    for (String pattern : patterns) {
      if (matches(pattern, topic)) {
        return true;
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return patterns.isEmpty();
  }

  static boolean matches(String pattern, String topic) {
    if (pattern.endsWith("*")) {
      return topic.startsWith(pattern.substring(0, pattern.length() - 1));
    }
    return pattern.equals(topic);
  }
}
