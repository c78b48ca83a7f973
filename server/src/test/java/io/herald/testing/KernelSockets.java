package io.herald.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What Linux says about one loopback TCP socket ({@code /proc/net/tcp}, or {@code tcp6} for an
 * IPv6 socket with a mapped address): the tests' view of state Herald leaves to the kernel.
 */
public final class KernelSockets {
  /** One socket's line: its send queue and its pending timer. */
  public record Entry(long sendQueue, int timer, long timerTicks) {
    /** {@code /proc/net/tcp}'s timer kinds. */
    public static final int KEEPALIVE = 2;
  }

  private KernelSockets() {}

  /** The socket from {@code localPort} to {@code remotePort} on 127.0.0.1, or null. */
  public static Entry find(int localPort, int remotePort) throws IOException {
    String local = String.format("0100007F:%04X", localPort);
    String remote = String.format("0100007F:%04X", remotePort);
    for (Path file : List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"))) {
      if (!Files.isReadable(file)) {
        continue;
      }
      for (String line : Files.readAllLines(file)) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 5 && f[1].endsWith(local) && f[2].endsWith(remote)) {
          String[] queues = f[4].split(":");
          String[] timer = f[5].split(":");
          return new Entry(
              Long.parseLong(queues[0], 16), Integer.parseInt(timer[0], 16), Long.parseLong(timer[1], 16));
        }
      }
    }
    return null;
  }
}
