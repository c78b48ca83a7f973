package io.herald.load.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Samples the CPU time and resident memory of the server under test from {@code /proc}: one
 * process (Herald) or several summed (nginx's master and workers), read the same way for Herald
 * and for its peers.
 */
public final class ProcSampler {
  private final Path proc;
  private final List<Long> pids;
  private final double ticksPerSecond;
  private long maxRssKib;

  public ProcSampler(long pid) {
    this(List.of(pid));
  }

  /** The processes of one server, whose CPU and RSS are summed. */
  public ProcSampler(List<Long> pids) {
    this(Path.of("/proc"), pids, clockTicks());
  }

  /** Reads {@code <proc>/<pid>/stat} and {@code status}: a test's own files instead of /proc. */
  ProcSampler(Path proc, List<Long> pids, double ticksPerSecond) {
    if (pids.isEmpty()) {
      throw new IllegalArgumentException("no pid to sample");
    }
    this.proc = proc;
    this.pids = List.copyOf(pids);
    this.ticksPerSecond = ticksPerSecond;
  }

  /** How many processes are summed. */
  public int processes() {
    return pids.size();
  }

  /**
   * CPU seconds (user + system) the processes have used so far, summed, or -1 when any of them
   * cannot be read (a process that ended took its CPU time with it: a sum without it would be wrong).
   */
  public double cpuSeconds() {
    long ticks = 0;
    for (long pid : pids) {
      try {
        String stat = Files.readString(proc.resolve(String.valueOf(pid)).resolve("stat"));
        // Fields after the command name, which is in parentheses and may contain spaces.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long utime = Long.parseLong(fields[11]);
        long stime = Long.parseLong(fields[12]);
        ticks += utime + stime;
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }
    return ticks / ticksPerSecond;
  }

  /**
   * Resident memory of the processes now, summed, in KiB (and remembers the largest sum seen), or
   * -1 when any of them cannot be read.
   */
  public long rssKib() {
    long sum = 0;
    for (long pid : pids) {
      long kib = rssKib(pid);
      if (kib < 0) {
        return -1;
      }
      sum += kib;
    }
    maxRssKib = Math.max(maxRssKib, sum);
    return sum;
  }

  private long rssKib(long pid) {
    try {
      for (String line : Files.readAllLines(proc.resolve(String.valueOf(pid)).resolve("status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
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
