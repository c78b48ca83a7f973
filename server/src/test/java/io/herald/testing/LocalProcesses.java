package io.herald.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.Supplier;

/** What the tests' real servers (nginx, redis-server) need to start: a port, and its opening. */
final class LocalProcesses {
  private LocalProcesses() {}

  /** A loopback port free right now. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * Waits until {@code process} accepts connections on {@code port}; fails with its log if it
   * exits first or does not listen in time.
   */
  static void awaitListening(Process process, String name, int port, long timeoutMillis, Supplier<String> log)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    Object monitor = new Object();
    while (true) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + log.get());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        // still starting
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(
            name + " did not listen on " + port + " within " + timeoutMillis + " ms:\n" + log.get());
      }
      synchronized (monitor) {
        monitor.wait(20);
      }
    }
  }
}
