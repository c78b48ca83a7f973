package io.herald.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx for end-to-end tests, in the foreground ({@code daemon off}) on a free loopback
 * port, with its pid file, logs and temp paths in a directory of the test's own: nothing under
 * {@code /etc}, {@code /var} or {@code /run} is used. The site config is the one we ship
 * ({@code scripts/nginx/herald.conf}), with only its listen address, Herald's address and
 * {@code proxy_read_timeout} replaced. Close it to stop it.
 *
 * <p>nginx is installed from Debian's packages when {@code /usr/sbin/nginx} is missing
 * ({@link DebianPackages}); if that fails the test fails (never skips) with the reason.
 */
public final class Nginx implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/sbin/nginx");
  static final Path SITE = Path.of("..", "scripts", "nginx", "herald.conf");

  private final Process process;
  private final int port;
  private final Path dir;

  private Nginx(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /**
   * Starts nginx in front of Herald's public port.
   *
   * @param readTimeout the {@code proxy_read_timeout} value, e.g. {@code 2s}
   */
  public static Nginx start(Path dir, int heraldPort, String readTimeout) throws Exception {
    DebianPackages.ensure(BINARY, "nginx");
    int port = LocalProcesses.freePort();
    String site = Files.readString(SITE);
    site = replaceOnce(site, "listen 80;", "listen 127.0.0.1:" + port + ";");
    site = replaceOnce(site, "server 127.0.0.1:8080;", "server 127.0.0.1:" + heraldPort + ";");
    site = replaceOnce(site, "proxy_read_timeout 60s;", "proxy_read_timeout " + readTimeout + ";");
    Files.writeString(dir.resolve("herald-site.conf"), site);
    // nginx started as root runs its workers as nobody: they need to reach the temp paths.
    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    String d = dir.toAbsolutePath().toString();
    Files.writeString(
        dir.resolve("nginx.conf"),
        String.join(
            "\n",
            "daemon off;",
            "worker_processes 1;",
            "pid " + d + "/nginx.pid;",
            "error_log " + d + "/error.log info;",
            "events { worker_connections 256; }",
            "http {",
            "  access_log " + d + "/access.log;",
            "  client_body_temp_path " + d + "/client_body;",
            "  proxy_temp_path " + d + "/proxy;",
            "  fastcgi_temp_path " + d + "/fastcgi;",
            "  uwsgi_temp_path " + d + "/uwsgi;",
            "  scgi_temp_path " + d + "/scgi;",
            "  include " + d + "/herald-site.conf;",
            "}",
            ""));
    Process process =
        new ProcessBuilder(
                BINARY.toString(), "-p", d, "-c", d + "/nginx.conf", "-e", d + "/error.log")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    Nginx nginx = new Nginx(process, port, dir);
    try {
      LocalProcesses.awaitListening(process, "nginx", port, 10_000, nginx::errorLog);
    } catch (RuntimeException | Error e) {
      nginx.close();
      throw e;
    }
    return nginx;
  }

  public int port() {
    return port;
  }

  /** What nginx logged, for failure messages. */
  public String errorLog() {
    try {
      return Files.readString(dir.resolve("error.log")) + Files.readString(dir.resolve("stdout.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops nginx (master and workers), forcibly if it does not stop within 5 s. */
  @Override
  public void close() {
    List<ProcessHandle> workers = process.descendants().toList();
    process.destroy(); // SIGTERM: nginx's fast shutdown, which also ends its workers
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    workers.forEach(ProcessHandle::destroyForcibly);
  }


  private static String replaceOnce(String text, String from, String to) {
    int at = text.indexOf(from);
    if (at < 0 || text.indexOf(from, at + 1) >= 0) {
      throw new AssertionError(SITE + " should contain '" + from + "' exactly once");
    }
    return text.substring(0, at) + to + text.substring(at + from.length());
  }

}
