package io.herald.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The npm {@code eventsource} client (the browser's {@code EventSource} for Node, pinned in
 * {@code src/test/node/package-lock.json}) reading Herald's bytes the way a browser does: over a
 * real HTTP connection, with its own decoding, dispatch, reconnection delay and
 * {@code Last-Event-ID}. For each stream, {@code src/test/node/eventsource-streams.mjs} serves
 * the body from a local HTTP server in pieces, lets the client reconnect once, and answers the
 * reconnect with 204 (which stops an {@code EventSource} for good); {@link #play} returns what
 * the client dispatched and what it sent when it came back.
 *
 * <p>Installed next to {@link ReferenceSseParser}, from the same lock file.
 */
public final class EventSourceClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process node;
  private final BufferedWriter in;
  private final BufferedReader out;

  private EventSourceClient(Process node) {
    this.node = node;
    this.in = new BufferedWriter(new OutputStreamWriter(node.getOutputStream(), StandardCharsets.US_ASCII));
    this.out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Installs the client if needed and starts one Node process (with its HTTP server). */
  public static EventSourceClient start() throws IOException, InterruptedException {
    return new EventSourceClient(ReferenceSseParser.startNode("eventsource-streams.mjs"));
  }

  /**
   * Serves {@code body} as one {@code text/event-stream} response, written in pieces split at
   * {@code cuts} (byte offsets), to a fresh {@code EventSource}; returns
   * {@code {"events":[{"type","data","lastEventId"}], "reconnect":{"lastEventId","afterMs"} or
   * null, "errors":[..]}}.
   */
  public JsonNode play(byte[] body, List<Integer> cuts) throws IOException {
    ObjectNode input = JSON.createObjectNode();
    input.put("body", body);
    cuts.forEach(input.putArray("cuts")::add);
    in.write(JSON.writeValueAsString(input)); // byte[] is written as base64
    in.write('\n');
    in.flush();
    String line = out.readLine();
    if (line == null) {
      throw new IOException("the Node EventSource client ended early (exit " + exitCode() + "); see stderr above");
    }
    return JSON.readTree(line);
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
}
