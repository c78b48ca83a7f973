package io.herald.load.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Samples another process's CPU time and resident memory from {@code /proc}: how much the
 * server under test spent, read the same way for Herald and for its peers.
 */
public final class ProcSampler {
  private final long pid;
  private final double ticksPerSecond;
  private long maxRssKib;

  public ProcSampler(long pid) {
    this.pid = pid;
    this.ticksPerSecond = clockTicks();
  }

  /** CPU seconds (user + system) the process has used so far, or -1 when it cannot be read. */
  public double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      // Fields after the command name, which is in parentheses and may contain spaces.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long utime = Long.parseLong(fields[11]);
      long stime = Long.parseLong(fields[12]);
      return (utime + stime) / ticksPerSecond;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Resident memory now in KiB (and remembers the largest seen), or -1. */
  public long rssKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
          maxRssKib = Math.max(maxRssKib, kib);
          return kib;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  public long maxRssKib() {
    return maxRssKib;
  }

  /** The kernel's clock ticks per second, in which {@code /proc} counts CPU time. */
  static double clockTicks() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
      String out = new String(getconf.getInputStream().readAllBytes()).trim();
      getconf.waitFor();
      return Double.parseDouble(out);
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
