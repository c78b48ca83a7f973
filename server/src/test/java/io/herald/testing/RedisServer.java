package io.herald.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server for cluster tests, in the foreground on a free loopback port, with its
 * working directory in the test's own dir and persistence off: nothing outside that dir is read
 * or written (no config file from {@code /etc}). {@link #stop} and {@link #restart} (same port)
 * let a test take Redis away and bring it back. Close it to stop it.
 *
 * <p>redis-server is installed from Debian's packages when {@code /usr/bin/redis-server} is
 * missing ({@link DebianPackages}); if that fails the test fails (never skips) with the reason.
 */
public final class RedisServer implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/redis-server");

  private final Path dir;
  private final int port;
  private final boolean appendOnly;
  private final Path tlsCert; // null: plain TCP
  private final Path tlsKey;
  private Process process;

  private RedisServer(Path dir, int port, boolean appendOnly, Path tlsCert, Path tlsKey) {
    this.dir = dir;
    this.port = port;
    this.appendOnly = appendOnly;
    this.tlsCert = tlsCert;
    this.tlsKey = tlsKey;
  }

  /**
   * A redis-server that speaks only TLS ({@code --tls-port}, no plain port) with {@code cert}
   * and {@code key}, not asking clients for certificates; {@link #uri} is {@code rediss://}.
   */
  public static RedisServer startWithTls(Path dir, Path cert, Path key) throws Exception {
    DebianPackages.ensure(BINARY, "redis-server");
    Files.createDirectories(dir);
    RedisServer redis = new RedisServer(dir, LocalProcesses.freePort(), false, cert, key);
    redis.restart();
    return redis;
  }

  public static RedisServer start(Path dir) throws Exception {
    return start(dir, false);
  }

  /**
   * A redis-server that keeps its data across {@link #restart}: append-only file on ({@code
   * appendonly yes}, {@code appendfsync everysec}) in {@code dir}, as in production.
   */
  public static RedisServer startWithAppendOnlyFile(Path dir) throws Exception {
    return start(dir, true);
  }

  private static RedisServer start(Path dir, boolean appendOnly) throws Exception {
    DebianPackages.ensure(BINARY, "redis-server");
    Files.createDirectories(dir);
    RedisServer redis = new RedisServer(dir, LocalProcesses.freePort(), appendOnly, null, null);
    redis.restart();
    return redis;
  }

  /** {@code redis://127.0.0.1:<port>} ({@code rediss://} with TLS), what {@code --redis} takes. */
  public String uri() {
    return (tlsCert == null ? "redis://" : "rediss://") + "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /**
   * Starts redis-server again on the same port: empty, or with what the append-only file kept
   * ({@link #startWithAppendOnlyFile}; a {@link #stop} is a SIGTERM, which writes it out).
   */
  public synchronized void restart() throws Exception {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("redis-server is running");
    }
    java.util.List<String> listen =
        tlsCert == null
            ? java.util.List.of("--port", String.valueOf(port))
            : java.util.List.of(
                "--port", "0",
                "--tls-port", String.valueOf(port),
                "--tls-cert-file", tlsCert.toAbsolutePath().toString(),
                "--tls-key-file", tlsKey.toAbsolutePath().toString(),
                "--tls-ca-cert-file", tlsCert.toAbsolutePath().toString(),
                "--tls-auth-clients", "no");
    java.util.List<String> command = new java.util.ArrayList<>();
    command.add(BINARY.toString());
    command.addAll(listen);
    command.addAll(
        java.util.List.of(
                "--bind", "127.0.0.1",
                "--dir", dir.toAbsolutePath().toString(),
                "--save", "",
                "--appendonly", appendOnly ? "yes" : "no",
                "--appendfsync", "everysec",
                "--daemonize", "no",
                "--logfile", ""));
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
            .start();
    LocalProcesses.awaitListening(process, "redis-server", port, 10_000, this::log);
  }

  /** Freezes redis-server (SIGSTOP): connected, but it answers nothing until {@link #unpause}. */
  public synchronized void pause() throws Exception {
    signal("-STOP");
  }

  /** Lets a paused redis-server run again (SIGCONT): it then serves what it received meanwhile. */
  public synchronized void unpause() throws Exception {
    signal("-CONT");
  }

  private void signal(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", signal, String.valueOf(process.pid())).inheritIO().start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
    }
  }

  /** Stops redis-server (SIGTERM, forcibly after 5 s) and waits until it has exited. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** What redis-server logged, for failure messages. */
  public String log() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    stop();
  }


}
