package io.herald.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;

/**
 * The npm {@code eventsource} client (the browser's {@code EventSource} for Node, pinned in
 * {@code src/test/node/package-lock.json}) reading Herald's bytes the way a browser does: over a
 * real HTTP connection, with its own decoding, dispatch, reconnection delay and
 * {@code Last-Event-ID}. For each stream, {@code src/test/node/eventsource-streams.mjs} serves
 * the body from a local HTTP server in pieces, lets the client reconnect once, and answers the
 * reconnect with 204 (which stops an {@code EventSource} for good); {@link #play} returns what
 * the client dispatched and what it sent when it came back.
 *
 * <p>Installed next to {@link ReferenceSseParser}, from the same lock file, by {@link NodeScript}.
 */
public final class EventSourceClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final NodeScript node;

  private EventSourceClient(NodeScript node) {
    this.node = node;
  }

  /** Installs the client if needed and starts one Node process (with its HTTP server). */
  public static EventSourceClient start() throws IOException, InterruptedException {
    return new EventSourceClient(NodeScript.start("eventsource-streams.mjs"));
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
    return node.ask(JSON.writeValueAsString(input)); // byte[] is written as base64
  }

  @Override
  public void close() throws IOException, InterruptedException {
    node.close();
  }
}
