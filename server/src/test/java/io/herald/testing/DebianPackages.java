package io.herald.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Installs what an end-to-end test runs (nginx, chromium) from Debian's packages when it is
 * missing, so the suite runs on a fresh machine. A failed installation fails the test with the
 * reason; it is never a reason to skip.
 */
public final class DebianPackages {
  private DebianPackages() {}

  /** Makes sure {@code binary} exists: {@code apt-get install -y package}, after an update if needed. */
  public static synchronized void ensure(Path binary, String debianPackage)
      throws IOException, InterruptedException {
    if (Files.isExecutable(binary)) {
      return;
    }
    String first = run("apt-get", "install", "-y", "-q", debianPackage);
    if (Files.isExecutable(binary)) {
      return;
    }
    String update = run("apt-get", "update", "-q");
    String second = run("apt-get", "install", "-y", "-q", debianPackage);
    if (!Files.isExecutable(binary)) {
      throw new AssertionError(
          debianPackage + " is needed and could not be installed: " + binary + " is missing after"
              + " 'apt-get install -y " + debianPackage + "' (the test installs it from Debian's"
              + " packages and needs root and network access to them)\n--- install:\n" + tail(first)
              + "\n--- update:\n" + tail(update) + "\n--- install after update:\n" + tail(second));
    }
  }

  private static String run(String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return "could not run " + String.join(" ", command) + ": " + e;
    }
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly().waitFor();
    }
    return "$ " + String.join(" ", command) + " (exit " + process.exitValue() + ")\n"
        + new String(output, StandardCharsets.UTF_8);
  }

  private static String tail(String text) {
    return text.length() <= 2000 ? text : "…" + text.substring(text.length() - 2000);
  }
}
