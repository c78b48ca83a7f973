package io.herald;

import org.slf4j.LoggerFactory;

/**
 * Turns SIGTERM and SIGINT into a graceful stop followed by exit status 0 — what process
 * managers expect of a clean stop. The JVM's own handling runs shutdown hooks and then exits
 * with 143 or 130, which systemd and scripts read as a failure.
 */
final class StopSignals {
  private StopSignals() {}

  @SuppressWarnings("removal")
  static void install(Runnable stop) {
    Runnable stopAndExit =
        () -> {
          stop.run();
          System.exit(0);
        };
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(
            new sun.misc.Signal(name),
            signal -> new Thread(stopAndExit, "herald-stop-" + name).start());
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        LoggerFactory.getLogger(StopSignals.class)
            .warn("cannot handle SIG{}: stopping will rely on the shutdown hook", name);
      }
    }
  }
}
