package io.herald.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The start-up check that the run's sockets fit under the process's open-file limit: every
 * connection is a file, and a run that hits the limit fails part of the way through its ramp
 * with errors that look like the server's fault. Checked before anything is opened.
 */
final class OpenFileLimit {
  /** Files kept for everything that is not a stream's connection: the publisher, event loops, jars. */
  static final int SPARE = 64;

  private OpenFileLimit() {}

  /**
   * Why {@code sockets} connections cannot be opened with {@code open} files open already under
   * a limit of {@code max} (-1: unknown or unlimited), or null when they can.
   */
  static String problem(String what, long sockets, long open, long max) {
    if (max < 0 || sockets + open + SPARE <= max) {
      return null;
    }
    return String.format(
        "%s needs %d sockets, but the open-file limit is %d (%d open already, %d kept spare): raise it"
            + " (ulimit -n), open fewer connections, or put more streams on each HTTP/2 connection",
        what, sockets, max, open, SPARE);
  }

  /** This process's open-file limit (the soft one, in force), or -1 when unknown or unlimited. */
  static long max() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
          return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Files this process has open now, or 0 when unknown. */
  static long open() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return Math.max(0, unix.getOpenFileDescriptorCount());
    }
    return 0;
  }
}
