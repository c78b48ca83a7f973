package io.herald.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any config file gives its settings or a {@link ConfigException} naming the problem (Herald
 * then stops with status 2), never another exception: whatever bytes are in it, and whatever
 * durations and sizes its values claim to be.
 */
class ConfigFileFuzzTest {
  private static final Path FILE = tempFile();

  @FuzzTest
  void anyFileGivesSettingsOrAConfigException(byte[] bytes) throws IOException {
    Files.write(FILE, bytes);
    ConfigFile file;
    try {
      file = ConfigFile.load(FILE);
    } catch (ConfigException refused) {
      return;
    }
    for (String name : file.names()) {
      String value = file.value(name).orElseThrow();
      try {
        Durations.parse(value);
      } catch (IllegalArgumentException notADuration) {
        // what DurationConverter turns into picocli's error for the option
      }
      try {
        Sizes.parse(value);
      } catch (IllegalArgumentException notASize) {
        // likewise
      }
    }
  }

  private static Path tempFile() {
    try {
      Path file = Files.createTempFile("herald-fuzz", ".conf");
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
