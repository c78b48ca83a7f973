package io.herald.e2e;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that no event signals (a counter on the server side), by polling it with
 * a bounded wait between checks. The wait is {@link Object#wait}-based on a private monitor, not
 * a sleep to let time pass: the test proceeds the moment the condition holds.
 */
final class Conditions {
  private Conditions() {}

  static void await(BooleanSupplier condition, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Object monitor = new Object();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      synchronized (monitor) {
        monitor.wait(5);
      }
    }
  }
}
