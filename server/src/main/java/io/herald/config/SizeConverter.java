package io.herald.config;

import picocli.CommandLine;

/** Lets picocli options take {@link Sizes} ({@code 64KiB}); errors name the problem. */
public final class SizeConverter implements CommandLine.ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    try {
      return Sizes.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
