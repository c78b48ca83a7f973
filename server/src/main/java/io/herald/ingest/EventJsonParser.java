package io.herald.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.herald.sse.EventFields;
import io.herald.sse.TopicNames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Turns publishers' JSON into {@link PublishRequest}s, strictly: an ingest line is one object,
 * a {@code POST /publish} body is one object or a non-empty array of them, and anything Herald
 * would have to guess about is refused with a reason — unknown fields (a typo like {@code evnt}
 * would otherwise silently drop the type), duplicate keys (which value wins?), trailing content.
 *
 * <p>{@code data} that is a JSON string is sent as its text; any other JSON value is sent as
 * compact JSON on one line.
 */
public final class EventJsonParser {
  /** Nesting deeper than this is refused: deep nesting is a stack-exhaustion attack, not data. */
  static final int MAX_NESTING = 64;

  /** Thread-safe and shared: the reader is immutable once built. */
  private static final ObjectReader READER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  // Error messages go back to publishers: no excerpts of their input in them.
                  .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build()
          .reader();

  private EventJsonParser() {}

  /**
   * One ingest line: exactly one JSON object. A leading byte-order mark (some editors and Windows
   * tools write one at the start of a file piped into the port) is not part of it.
   */
  public static PublishRequest parseLine(String line) {
    String json = line.startsWith("\uFEFF") ? line.substring(1) : line;
    return toRequest(read(json), "");
  }

  /** A {@code POST /publish} body: one object, or a non-empty array of objects. */
  public static List<PublishRequest> parseBody(ByteBuf body) {
    JsonNode root;
    try (ByteBufInputStream in = new ByteBufInputStream(body.duplicate())) {
      root = READER.readTree((java.io.InputStream) in);
    } catch (JsonProcessingException e) {
      throw new BadEventException("not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadEventException("cannot read the body: " + e.getMessage());
    }
    if (root == null || root.isMissingNode()) {
      throw new BadEventException("the body is empty: send one event object or an array of them");
    }
    if (root.isArray()) {
      if (root.isEmpty()) {
        throw new BadEventException("the array is empty");
      }
      List<PublishRequest> requests = new ArrayList<>(root.size());
      for (int i = 0; i < root.size(); i++) {
        requests.add(toRequest(root.get(i), "event " + i + ": "));
      }
      return requests;
    }
    return List.of(toRequest(root, ""));
  }

  private static JsonNode read(String json) {
    try {
      JsonNode node = READER.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new BadEventException("expected a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new BadEventException("not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static PublishRequest toRequest(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new BadEventException(where + "expected a JSON object");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("topic") && !name.equals("event") && !name.equals("data")) {
        throw new BadEventException(
            where + "unknown field \"" + name + "\" (known: topic, event, data)");
      }
    }
    JsonNode topicNode = node.get("topic");
    if (topicNode == null) {
      throw new BadEventException(where + "missing \"topic\"");
    }
    if (!topicNode.isTextual()) {
      throw new BadEventException(where + "\"topic\" must be a string");
    }
    String topic = topicNode.textValue();
    String topicProblem = TopicNames.problem(topic);
    if (topicProblem != null) {
      throw new BadEventException(where + topicProblem);
    }
    String type = null;
    JsonNode typeNode = node.get("event");
    if (typeNode != null && !typeNode.isNull()) {
      if (!typeNode.isTextual()) {
        throw new BadEventException(where + "\"event\" must be a string");
      }
      type = typeNode.textValue();
      String typeProblem = EventFields.typeProblem(type);
      if (typeProblem != null) {
        throw new BadEventException(where + typeProblem);
      }
    }
    JsonNode data = node.get("data");
    if (data == null) {
      throw new BadEventException(where + "missing \"data\"");
    }
    return new PublishRequest(topic, type, data.isTextual() ? data.textValue() : data.toString());
  }
}
