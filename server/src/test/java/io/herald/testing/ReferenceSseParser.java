package io.herald.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Base64;

/**
 * The npm package {@code eventsource-parser}, run in Node, as an independent judge of Herald's
 * wire format. One Node process serves many streams: {@link #parse} writes one stream's bytes as a
 * base64 line and reads back one JSON line of what the parser made of it (see
 * {@code src/test/node/parse-streams.mjs}). Installed by {@link NodeScript}.
 */
public final class ReferenceSseParser implements AutoCloseable {
  private final NodeScript node;

  private ReferenceSseParser(NodeScript node) {
    this.node = node;
  }

  /** Installs the parser if needed and starts one Node process. */
  public static ReferenceSseParser start() throws IOException, InterruptedException {
    return new ReferenceSseParser(NodeScript.start("parse-streams.mjs"));
  }

  /** What the reference parser reads from one whole stream (a fresh parser per stream). */
  public JsonNode parse(byte[] stream) throws IOException {
    return node.ask(Base64.getEncoder().encodeToString(stream));
  }

  @Override
  public void close() throws IOException, InterruptedException {
    node.close();
  }
}
