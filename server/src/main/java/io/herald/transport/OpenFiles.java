package io.herald.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's open-file limit, read from {@code /proc/self/limits}: every connection is a file,
 * so this is the real ceiling on connections, and the default connection limit is set below it
 * (leaving room for listeners, ingest, admin and the JVM's own files).
 */
public final class OpenFiles {
  /** Files kept free for everything that is not a public connection. */
  public static final int RESERVED = 256;

  private OpenFiles() {}

  /** The soft limit, or -1 when it cannot be read (not Linux) or is unlimited. */
  public static long softLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
          return parts[0].equals("unlimited") ? -1 : Long.parseLong(parts[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** The connection limit to use when none was configured. */
  public static int defaultMaxConnections() {
    long limit = softLimit();
    if (limit < 0) {
      return 1_000_000;
    }
    return (int) Math.max(16, Math.min(Integer.MAX_VALUE, limit - RESERVED));
  }
}
