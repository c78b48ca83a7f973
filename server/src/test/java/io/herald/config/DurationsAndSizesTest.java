package io.herald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsAndSizesTest {
  @ParameterizedTest
  @CsvSource({"500ms,500", "25s,25000", "2m,120000", "1h,3600000", "0,0", "' 3s ',3000"})
  void parsesDurationsWithAUnit(String text, long millis) {
    assertEquals(Duration.ofMillis(millis), Durations.parse(text));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "25|'25' has no unit: write it like 25s, 25ms or 25m",
        "2d|'2d' has an unknown unit 'd' (use ms, s, m or h)",
        "-1s|'-1s' is not a duration: write it like 25s, 500ms or 2m",
        "1.5s|'1.5s' is not a duration: write it like 25s, 500ms or 2m",
        "''|'' is not a duration: write it like 25s, 500ms or 2m",
        "99999999999999999999s|'99999999999999999999s' is too large",
        "9223372036854775807h|'9223372036854775807h' is too large"
      })
  void refusesDurationsWithAReason(String text, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Durations.parse(text)).getMessage());
  }

  @ParameterizedTest
  @CsvSource({"25s,25000", "500ms,500", "2m,120000", "90s,90000", "1h,3600000", "1500ms,1500"})
  void formatsDurationsInTheirShortestExactForm(String text, long millis) {
    assertEquals(text, Durations.format(Duration.ofMillis(millis)));
    assertEquals(Duration.ofMillis(millis), Durations.parse(Durations.format(Duration.ofMillis(millis))));
  }

  @ParameterizedTest
  @CsvSource({"2048,2048", "100B,100", "64KiB,65536", "1MiB,1048576", "2GiB,2147483648", "' 8 KiB ',8192"})
  void parsesSizes(String text, long bytes) {
    assertEquals(bytes, Sizes.parse(text));
  }

  @ParameterizedTest
  @CsvSource({"64KB", "1MB", "1kb", "1K", "1.5MiB", "-1", "x", "9999999999999GiB"})
  void refusesAmbiguousOrBadSizes(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
    assertTrue(e.getMessage().startsWith("'" + text + "'"), e.getMessage());
  }

  @Test
  void kilobytesAreRefusedWithTheUnitToUseInstead() {
    assertEquals(
        "'64KB' has an unknown unit 'KB': write 64KiB, 64MiB or 64GiB (1024-based)",
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("64KB")).getMessage());
  }

  @ParameterizedTest
  @CsvSource({"65536,64KiB", "1048576,1MiB", "100,100B", "1536,1536B", "1073741824,1GiB"})
  void formatsSizesInTheirShortestExactForm(long bytes, String text) {
    assertEquals(text, Sizes.format(bytes));
    assertEquals(bytes, Sizes.parse(text));
  }
}
