package io.herald.load.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's CPU and RSS from /proc: one process as read, several summed (nginx's master and workers). */
class ProcSamplerTest {
  @TempDir Path proc;

  /** A /proc/<pid> with the given user and system ticks and resident KiB; the name has spaces and a ')'. */
  private void process(long pid, long utime, long stime, long rssKib) throws IOException {
    Path dir = Files.createDirectories(proc.resolve(String.valueOf(pid)));
    Files.writeString(dir.resolve("stat"),
        pid + " (nginx: worker) x) S 1 1 1 0 -1 4194624 100 0 0 0 " + utime + " " + stime + " 0 0 20 0 1 0 5 0 0\n");
    Files.writeString(dir.resolve("status"), "Name:\tnginx\nVmPeak:\t  99999 kB\nVmRSS:\t " + rssKib + " kB\nThreads:\t1\n");
  }

  @Test
  void oneProcessIsReadAsItIs() throws IOException {
    process(123, 250, 50, 2048);
    ProcSampler sampler = new ProcSampler(proc, List.of(123L), 100);
    assertEquals(1, sampler.processes());
    assertEquals(3.0, sampler.cpuSeconds(), 1e-9);
    assertEquals(2048, sampler.rssKib());
    assertEquals(2048, sampler.maxRssKib());
  }

  @Test
  void severalProcessesAreSummedAndTheLargestSumOfRssIsKept() throws IOException {
    process(123, 100, 0, 1000);
    process(456, 200, 100, 3000);
    process(789, 0, 50, 500);
    ProcSampler sampler = new ProcSampler(proc, List.of(123L, 456L, 789L), 100);
    assertEquals(3, sampler.processes());
    assertEquals(4.5, sampler.cpuSeconds(), 1e-9);
    assertEquals(4500, sampler.rssKib());
    process(456, 300, 100, 1000); // a worker gives memory back and spends more CPU
    assertEquals(5.5, sampler.cpuSeconds(), 1e-9);
    assertEquals(2500, sampler.rssKib());
    assertEquals(4500, sampler.maxRssKib(), "the largest sum seen, not the last");
  }

  @Test
  void aProcessThatCannotBeReadMakesTheSumUnknown() throws IOException {
    process(123, 100, 0, 1000);
    ProcSampler sampler = new ProcSampler(proc, List.of(123L, 999L), 100);
    assertEquals(-1, sampler.cpuSeconds());
    assertEquals(-1, sampler.rssKib());
  }

  @Test
  void readsThisProcessFromTheRealProc() {
    ProcSampler sampler = new ProcSampler(List.of(ProcessHandle.current().pid(), ProcessHandle.current().pid()));
    // Linux: this JVM has used CPU and holds memory; the same pid twice counts twice.
    assertTrue(sampler.cpuSeconds() > 0);
    long twice = sampler.rssKib();
    long once = new ProcSampler(ProcessHandle.current().pid()).rssKib();
    assertTrue(twice > once && once > 0, twice + " vs " + once);
  }
}
