package io.herald;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald publish}: a client of the TCP ingest port, so publishing needs no {@code nc}.
 * It sends its arguments (or stdin, a line at a time) and prints each event id as Herald answers,
 * in order. Lines are written while answers are read, so a long stdin streams through at full
 * speed without deadlocking against Herald's backpressure.
 */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Publish events through Herald's TCP ingest port and print their ids.",
      "With --topic, each DATA argument (or stdin line) is the event's data: sent as JSON when",
      "it parses as JSON, else as a string. Without --topic, each stdin line must be a whole",
      "ingest line, e.g. {\"topic\":\"demo\",\"data\":1}."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:every event was accepted", "1:some event was refused",
        "2:cannot connect, no answer in time, or the ingest secret was refused"})
public final class PublishCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Ingest host.")
  String host;

  @Option(names = "--port", defaultValue = "7070", description = "Ingest port.")
  int port;

  @Option(names = "--topic", description = "Topic of every event (then arguments or lines are data).")
  String topic;

  @Option(names = "--event", description = "Event type (the 'event:' field) of every event.")
  String event;

  @Option(names = "--secret-file", paramLabel = "FILE",
      description = "File holding the ingest secret, for a Herald started with --ingest-secret.")
  java.nio.file.Path secretFile;

  @Option(names = "--timeout-seconds", defaultValue = "10", description = "How long to wait for answers.")
  int timeoutSeconds;

  @Parameters(paramLabel = "DATA", arity = "0..*", description = "Event data; stdin is read when none is given.")
  List<String> data;

  private InputStream stdin = System.in;
  private PrintStream stdout = System.out;
  private PrintStream stderr = System.err;

  /** For tests: where input comes from and output goes. */
  PublishCommand streams(InputStream in, PrintStream out, PrintStream err) {
    this.stdin = in;
    this.stdout = out;
    this.stderr = err;
    return this;
  }

  @Override
  public Integer call() {
    if (topic == null && data != null && !data.isEmpty()) {
      stderr.println("herald publish: DATA arguments need --topic (or send whole lines on stdin)");
      return 2;
    }
    if (topic == null && event != null) {
      stderr.println("herald publish: --event needs --topic");
      return 2;
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), timeoutSeconds * 1000);
      socket.setSoTimeout(timeoutSeconds * 1000);
      return exchange(socket);
    } catch (SocketTimeoutException e) {
      stderr.println("herald publish: no answer from " + host + ":" + port + " within " + timeoutSeconds + "s");
      return 2;
    } catch (IOException e) {
      stderr.println("herald publish: cannot reach Herald's ingest port at " + host + ":" + port + ": " + e.getMessage());
      return 2;
    }
  }

  private int exchange(Socket socket) throws IOException {
    AtomicLong sent = new AtomicLong();
    Writer out = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8), 65536);
    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    if (secretFile != null) {
      String secret;
      try {
        secret = new String(io.herald.ingest.IngestAuth.secret(null, secretFile), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        stderr.println("herald publish: " + e.getMessage().replace("--ingest-secret-file", "--secret-file"));
        return 2;
      }
      out.write(JSON.writeValueAsString(java.util.Map.of("auth", secret)));
      out.write('\n');
      out.flush();
      String answer = in.readLine();
      if (answer == null || !JSON.readTree(answer).path("ok").asBoolean(false)) {
        stderr.println("herald publish: the ingest port refused the secret: "
            + (answer == null ? "connection closed" : JSON.readTree(answer).path("error").asText(answer)));
        return 2;
      }
    }
    CompletableFuture<Void> writing =
        CompletableFuture.runAsync(
            () -> {
              try (Stream<String> lines = lines()) {
                for (String line : (Iterable<String>) lines::iterator) {
                  if (topic == null && line.isBlank()) {
                    continue; // Herald skips blank lines without an answer
                  }
                  out.write(topic == null ? line : toIngestLine(line));
                  out.write('\n');
                  sent.incrementAndGet();
                }
                out.flush();
                socket.shutdownOutput();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    long answered = 0;
    boolean refused = false;
    String reply;
    while ((reply = in.readLine()) != null) {
      answered++;
      JsonNode node = JSON.readTree(reply);
      if (node.hasNonNull("id")) {
        stdout.println(node.get("id").asText());
      } else {
        refused = true;
        stderr.println("line " + answered + ": " + node.path("error").asText(reply));
      }
    }
    stdout.flush();
    try {
      writing.join();
    } catch (RuntimeException e) {
      stderr.println("herald publish: sending failed: " + e.getCause().getMessage());
      return 2;
    }
    if (answered < sent.get()) {
      stderr.println("herald publish: Herald closed the connection after " + answered + " of " + sent.get() + " answers");
      return 2;
    }
    return refused ? 1 : 0;
  }

  private Stream<String> lines() {
    if (data != null && !data.isEmpty()) {
      return data.stream();
    }
    return new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).lines();
  }

  /** Data that parses as JSON is sent as that value; anything else as a JSON string. */
  private String toIngestLine(String text) throws JsonProcessingException {
    ObjectNode line = JSON.createObjectNode();
    line.put("topic", topic);
    if (event != null) {
      line.put("event", event);
    }
    JsonNode value;
    try {
      value = JSON.readTree(text);
    } catch (JsonProcessingException notJson) {
      value = null;
    }
    if (value == null || value.isMissingNode()) {
      line.put("data", text);
    } else {
      line.set("data", value);
    }
    return JSON.writeValueAsString(line);
  }
}
