package io.herald.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationConverterTest {
  private final DurationConverter converter = new DurationConverter();

  @Test
  void readsUnitsAndPlainSeconds() {
    assertEquals(Duration.ofMillis(500), converter.convert("500ms"));
    assertEquals(Duration.ofSeconds(10), converter.convert("10s"));
    assertEquals(Duration.ofSeconds(10), converter.convert("10"));
    assertEquals(Duration.ofMillis(1500), converter.convert("1.5s"));
    assertEquals(Duration.ofMinutes(2), converter.convert("2m"));
    assertEquals(Duration.ZERO, converter.convert("0s"));
  }

  @Test
  void refusesAnythingElse() {
    assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("ten seconds"));
    assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("-1s"));
  }
}
