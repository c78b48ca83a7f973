package io.herald.load.measure;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where this process's own CPU time goes, by kind of thread, read from {@code /proc/self/task}:
 * the event loops that read the streams ({@code herald-load-io-*}), the JIT compilers, the garbage
 * collector (with the VM thread, which runs its pauses), and everything else (the publisher, the
 * progress line). The tool reports the split next to its CPU per delivery, so a reader can tell
 * the cost of reading events from a warm-up (the JIT) that a longer run spreads thinner.
 *
 * <p>Linux only: elsewhere every figure is -1. Threads that ended between two samples are not
 * counted.
 */
public final class JvmOverhead {
  /** The kinds of thread, by their name as {@code /proc} shows it (at most 15 characters). */
  public enum Kind { EVENT_LOOPS, JIT, GC, OTHER }

  private static final Path TASKS = Path.of("/proc/self/task");
  private final double ticksPerSecond;
  private final Map<String, Long> start;

  /** Samples now; {@link #seconds} is counted from here. */
  public JvmOverhead() {
    this.ticksPerSecond = ProcSampler.clockTicks();
    this.start = sample();
  }

  /** The kind of a thread named {@code name} (as {@code /proc/<pid>/task/<tid>/comm} shows it). */
  static Kind kind(String name) {
    if (name.startsWith("herald-load-io")) {
      return Kind.EVENT_LOOPS;
    }
    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
      return Kind.JIT;
    }
    if (name.startsWith("GC Thread") || name.startsWith("VM Thread") || name.startsWith("G1 ")) {
      return Kind.GC;
    }
    return Kind.OTHER;
  }

  /** CPU seconds threads of {@code kind} used since this was made, or -1 when {@code /proc} cannot tell. */
  public double seconds(Kind kind) {
    if (start == null) {
      return -1;
    }
    Map<String, Long> now = sample();
    if (now == null) {
      return -1;
    }
    long ticks = 0;
    for (Map.Entry<String, Long> e : now.entrySet()) {
      if (kind(e.getKey().substring(e.getKey().indexOf(' ') + 1)) == kind) {
        ticks += e.getValue() - start.getOrDefault(e.getKey(), 0L);
      }
    }
    return ticks / ticksPerSecond;
  }

  /** CPU ticks (user + system) of every thread, keyed by "tid name". */
  private static Map<String, Long> sample() {
    Map<String, Long> ticks = new HashMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String name = stat.substring(open + 1, close);
          String[] fields = stat.substring(close + 2).split(" ");
          ticks.put(task.getFileName() + " " + name, Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
        } catch (IOException | RuntimeException gone) {
          // the thread ended while we looked
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return ticks;
  }
}
