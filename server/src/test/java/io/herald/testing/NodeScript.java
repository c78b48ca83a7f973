package io.herald.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived Node process running a script of {@code src/test/node} that answers one JSON
 * line for each line it reads: how the conformance tests ask the npm judges of Herald's wire
 * format ({@link ReferenceSseParser}, {@link EventSourceClient}) about many streams without a
 * process per stream.
 *
 * <p>The scripts and their pinned packages are copied into {@code target/sse-reference-parser}
 * and installed there with {@code npm ci} when {@code node_modules} is missing, so a fresh
 * machine needs only {@code node} and {@code npm} on the PATH (and the npm registry); without
 * them this fails with a message saying so.
 */
final class NodeScript implements AutoCloseable {
  private static final Path SOURCE = Path.of("src/test/node");
  private static final Path WORK = Path.of("target/sse-reference-parser");
  private static final List<String> FILES = List.of("package.json", "package-lock.json", "parse-streams.mjs", "eventsource-streams.mjs");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process node;
  private final BufferedWriter in;
  private final BufferedReader out;

  private NodeScript(Process node) {
    this.node = node;
    this.in = new BufferedWriter(new OutputStreamWriter(node.getOutputStream(), StandardCharsets.US_ASCII));
    this.out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Installs the packages if needed and starts {@code node SCRIPT}. */
  static NodeScript start(String script) throws IOException, InterruptedException {
    return new NodeScript(startNode(script));
  }

  /** Writes one ASCII line to the script and reads back its one-line JSON answer. */
  JsonNode ask(String line) throws IOException {
    in.write(line);
    in.write('\n');
    in.flush();
    String answer = out.readLine();
    if (answer == null) {
      throw new IOException("the Node script ended early (exit " + exitCode() + "); see stderr above");
    }
    return JSON.readTree(answer);
  }

  private String exitCode() {
    try {
      return node.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(node.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    in.close();
    if (!node.waitFor(10, TimeUnit.SECONDS)) {
      node.destroyForcibly();
    }
  }

  /**
   * Copies the Node scripts and their pinned packages ({@code package-lock.json}:
   * {@code eventsource-parser} and the {@code eventsource} client) into {@code target/}, installs
   * them with {@code npm ci} when one is missing, and starts {@code node SCRIPT} there.
   */
  private static Process startNode(String script) throws IOException, InterruptedException {
    requireTool("node");
    requireTool("npm");
    Files.createDirectories(WORK);
    for (String file : FILES) {
      Files.copy(SOURCE.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    synchronized (NodeScript.class) {
      if (!Files.isDirectory(WORK.resolve("node_modules/eventsource-parser"))
          || !Files.isDirectory(WORK.resolve("node_modules/eventsource"))) {
        run(WORK, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
      }
    }
    return new ProcessBuilder("node", script)
        .directory(WORK.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  private static void requireTool(String tool) throws IOException, InterruptedException {
    try {
      Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (p.waitFor() == 0) {
        return;
      }
    } catch (IOException e) {
      // reported below
    }
    throw new IllegalStateException(
        "'" + tool + "' is not on the PATH: the SSE conformance tests run the reference parser"
            + " (npm eventsource-parser) in Node; install Node.js and npm (Debian: apt-get install"
            + " nodejs npm)");
  }

  private static void run(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed in " + dir + ":\n" + output);
    }
  }
}
