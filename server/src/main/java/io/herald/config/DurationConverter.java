package io.herald.config;

import java.time.Duration;
import picocli.CommandLine;

/** Lets picocli options take {@link Durations} ({@code 25s}); errors name the problem. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
