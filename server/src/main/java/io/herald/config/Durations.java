package io.herald.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in Herald's options: a whole number and a unit — {@code 500ms},
 * {@code 25s}, {@code 2m}, {@code 1h} — or {@code 0}. A bare number is refused: whether
 * {@code --heartbeat 25} meant seconds or milliseconds is exactly the mistake a unit prevents.
 */
public final class Durations {
  private static final Pattern FORM = Pattern.compile("(\\d+)\\s*([a-zA-Z]*)");

  private Durations() {}

  public static Duration parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    Matcher m = FORM.matcher(trimmed);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + trimmed + "' is not a duration: write it like 25s, 500ms or 2m");
    }
    long amount;
    try {
      amount = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + trimmed + "' is too large");
    }
    String unit = m.group(2);
    if (unit.isEmpty()) {
      if (amount == 0) {
        return Duration.ZERO;
      }
      throw new IllegalArgumentException(
          "'" + trimmed + "' has no unit: write it like " + amount + "s, " + amount + "ms or "
              + amount + "m");
    }
    try {
      return switch (unit) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> throw new IllegalArgumentException(
            "'" + trimmed + "' has an unknown unit '" + unit + "' (use ms, s, m or h)");
      };
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("'" + trimmed + "' is too large");
    }
  }

  /** The shortest exact form: {@code 25s}, {@code 500ms}, {@code 90s}, {@code 2m}, {@code 1h}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
