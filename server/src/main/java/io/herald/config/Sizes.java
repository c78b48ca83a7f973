package io.herald.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as people write them in Herald's options: plain bytes ({@code 2048}) or a number
 * with a 1024-based unit — {@code B}, {@code KiB}, {@code MiB}, {@code GiB}. {@code KB} and
 * {@code MB} are refused because half the world reads them as 1000 and half as 1024.
 */
public final class Sizes {
  private static final Pattern FORM = Pattern.compile("(\\d+)\\s*([a-zA-Z]*)");

  private Sizes() {}

  public static long parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    Matcher m = FORM.matcher(trimmed);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + trimmed + "' is not a size: write it like 2048, 64KiB or 1MiB");
    }
    long amount;
    try {
      amount = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + trimmed + "' is too large");
    }
    int shift =
        switch (m.group(2)) {
          case "", "B" -> 0;
          case "KiB" -> 10;
          case "MiB" -> 20;
          case "GiB" -> 30;
          default -> throw new IllegalArgumentException(
              "'" + trimmed + "' has an unknown unit '" + m.group(2)
                  + "': write " + amount + "KiB, " + amount + "MiB or " + amount
                  + "GiB (1024-based)");
        };
    if (shift > 0 && amount > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("'" + trimmed + "' is too large");
    }
    return amount << shift;
  }

  /** The shortest exact form: {@code 64KiB}, {@code 1MiB}, {@code 100B}. */
  public static String format(long bytes) {
    if (bytes != 0 && bytes % (1L << 30) == 0) {
      return (bytes >> 30) + "GiB";
    }
    if (bytes != 0 && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + "MiB";
    }
    if (bytes != 0 && bytes % (1L << 10) == 0) {
      return (bytes >> 10) + "KiB";
    }
    return bytes + "B";
  }
}
