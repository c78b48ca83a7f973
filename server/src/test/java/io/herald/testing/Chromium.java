package io.herald.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real browser for end-to-end tests: Debian's headless Chromium, driven through the DevTools
 * protocol over a WebSocket from the test itself (no Node, no driver). It opens one page; tests
 * run JavaScript in it and wait for a condition on the page with a timeout. Its profile lives in
 * the test's directory. Close it to stop it.
 *
 * <p>Chromium is installed from Debian's packages when {@code /usr/bin/chromium} is missing
 * ({@link DebianPackages}); if that fails the test fails (never skips) with the reason.
 */
public final class Chromium implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path dir;
  private WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();

  private Chromium(Process process, Path dir) {
    this.process = process;
    this.dir = dir;
  }

  /**
   * Starts Chromium on {@code url} and connects to its page; {@code flags} are added to its
   * command line (e.g. {@code --ignore-certificate-errors} for the self-signed test certificate).
   */
  public static Chromium open(Path dir, String url, String... flags) throws Exception {
    DebianPackages.ensure(BINARY, "chromium");
    Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
    List<String> command =
        new ArrayList<>(
            List.of(
                BINARY.toString(),
                "--headless=new",
                "--no-sandbox", // Chromium's sandbox refuses to run as root, as CI does
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--window-size=1000,760",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--user-data-dir=" + profile));
    command.addAll(List.of(flags));
    command.add(url);
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("chromium.log").toFile())
            .start();
    Chromium chromium = new Chromium(process, dir);
    try {
      chromium.connect(profile.resolve("DevToolsActivePort"), Duration.ofSeconds(30));
    } catch (Exception | Error e) {
      chromium.close();
      throw e;
    }
    return chromium;
  }

  /** Runs {@code expression} in the page and returns its value as text (null for undefined). */
  public String evaluate(String expression) throws Exception {
    ObjectNode params = JSON.createObjectNode();
    params.put("expression", expression);
    params.put("returnByValue", true);
    params.put("awaitPromise", true);
    JsonNode result = send("Runtime.evaluate", params).get(10, TimeUnit.SECONDS);
    if (result.has("exceptionDetails")) {
      throw new AssertionError("the page threw on " + expression + ": " + result.get("exceptionDetails"));
    }
    JsonNode value = result.path("result").path("value");
    return value.isMissingNode() || value.isNull() ? null : value.isTextual() ? value.asText() : value.toString();
  }

  /** Sends a DevTools command to the page and returns its result, failing on a protocol error. */
  public JsonNode call(String method, Map<String, ?> params) throws Exception {
    return send(method, JSON.valueToTree(params)).get(10, TimeUnit.SECONDS);
  }

  /** Loads {@code url} in the page (returns once the navigation is committed). */
  public void navigate(String url) throws Exception {
    JsonNode result = call("Page.navigate", Map.of("url", url));
    if (result.hasNonNull("errorText")) {
      throw new AssertionError("could not load " + url + ": " + result.get("errorText"));
    }
  }

  /** Sets a cookie in the browser for {@code url}'s origin, as if that site had set it. */
  public void setCookie(String url, String name, String value) throws Exception {
    JsonNode result = call("Network.setCookie", Map.of("url", url, "name", name, "value", value));
    if (!result.path("success").asBoolean(true)) {
      throw new AssertionError("Chromium refused the cookie " + name + " for " + url);
    }
  }

  /** What the page shows now, as PNG bytes. */
  public byte[] screenshot() throws Exception {
    JsonNode result = call("Page.captureScreenshot", Map.of("format", "png"));
    return Base64.getDecoder().decode(result.path("data").asText());
  }

  /**
   * Waits until the boolean {@code condition} holds in the page (an exception counts as false),
   * re-evaluating it every 20 ms; a timeout fails with {@code what} and the page's text.
   */
  public void await(String condition, Duration timeout, String what) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Object monitor = new Object();
    // Before the page has loaded, the condition may throw (no such element yet): not yet true.
    String check = "(() => { try { return Boolean(" + condition + "); } catch (e) { return false; } })()";
    while (!"true".equals(evaluate(check))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after " + timeout + " waiting for " + what + "; the page shows:\n"
                + evaluate("document.body.innerText"));
      }
      synchronized (monitor) {
        monitor.wait(20);
      }
    }
  }

  /** What Chromium printed, for failure messages. */
  public String log() {
    try {
      return Files.readString(dir.resolve("chromium.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops Chromium and every process it started, forcibly if it does not stop within 5 s. */
  @Override
  public void close() {
    if (socket != null) {
      socket.abort();
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  private CompletableFuture<JsonNode> send(String method, ObjectNode params) {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    replies.put(id, reply);
    ObjectNode message = JSON.createObjectNode();
    message.put("id", id);
    message.put("method", method);
    message.set("params", params);
    socket.sendText(message.toString(), true);
    return reply;
  }

  /** Reads the DevTools port Chromium wrote to its profile, finds the page and connects to it. */
  private void connect(Path activePort, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Object monitor = new Object();
    HttpClient http = HttpClient.newHttpClient();
    String pageSocket = null;
    while (pageSocket == null) {
      if (!process.isAlive()) {
        throw new AssertionError("chromium exited with " + process.exitValue() + ":\n" + log());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("chromium's page did not come up within " + timeout + ":\n" + log());
      }
      List<String> lines = Files.exists(activePort) ? Files.readAllLines(activePort) : List.of();
      if (!lines.isEmpty() && !lines.get(0).isBlank()) {
        HttpResponse<String> targets =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lines.get(0).trim() + "/json/list"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode target : JSON.readTree(targets.body())) {
          if (target.path("type").asText().equals("page")) {
            pageSocket = target.path("webSocketDebuggerUrl").asText();
          }
        }
      }
      if (pageSocket == null) {
        synchronized (monitor) {
          monitor.wait(50);
        }
      }
    }
    socket =
        http.newWebSocketBuilder()
            .buildAsync(URI.create(pageSocket), new Replies())
            .get(10, TimeUnit.SECONDS);
  }

  /** Completes each command's future with its reply; protocol events are ignored. */
  private final class Replies implements WebSocket.Listener {
    private final StringBuilder message = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      message.append(data);
      if (last) {
        try {
          JsonNode reply = JSON.readTree(message.toString());
          CompletableFuture<JsonNode> waiting =
              reply.has("id") ? replies.remove(reply.get("id").asInt()) : null;
          if (waiting != null) {
            if (reply.has("error")) {
              waiting.completeExceptionally(new AssertionError("DevTools: " + reply.get("error")));
            } else {
              waiting.complete(reply.path("result"));
            }
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        } finally {
          message.setLength(0);
        }
      }
      webSocket.request(1);
      return null;
    }
  }
}
