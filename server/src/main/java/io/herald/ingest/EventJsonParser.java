package io.herald.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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

  /** Thread-safe and shared, as are the reader and factory built from it. */
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          // Error messages go back to publishers: no excerpts of their input in them.
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  private static final ObjectReader READER =
      JsonMapper.builder(FACTORY).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build().reader();

  private EventJsonParser() {}

  /**
   * One ingest line: exactly one JSON object. A leading byte-order mark (some editors and Windows
   * tools write one at the start of a file piped into the port) is not part of it.
   */
  public static PublishRequest parseLine(String line) {
    String json = line.startsWith("\uFEFF") ? line.substring(1) : line;
    // Streamed, not read into a tree: this runs for every ingested event, and a tree costs a
    // node per value, most of them garbage at once.
    Fields fields = new Fields();
    try (JsonParser parser = FACTORY.createParser(json)) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        throw new BadEventException("expected a JSON object");
      }
      if (token != JsonToken.START_OBJECT) {
        parser.skipChildren();
        requireEnd(parser);
        throw new BadEventException("expected a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (name) {
          case "topic" -> fields.topic(value == JsonToken.VALUE_STRING ? parser.getText() : skip(parser));
          case "event" -> fields.event(value == JsonToken.VALUE_STRING ? parser.getText() : skip(parser), value);
          case "data" -> fields.data(value == JsonToken.VALUE_STRING ? parser.getText() : compact(parser));
          default -> {
            fields.unknown(name);
            parser.skipChildren();
          }
        }
      }
      requireEnd(parser);
    } catch (JsonProcessingException e) {
      throw new BadEventException("not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadEventException("cannot read the line: " + e.getMessage());
    }
    return fields.toRequest("");
  }

  /** Skips a value that is not a string (an object or array is skipped whole); returns null. */
  private static String skip(JsonParser parser) throws IOException {
    parser.skipChildren();
    return null;
  }

  /** Anything after the object is refused, as it is in a {@code POST /publish} body. */
  private static void requireEnd(JsonParser parser) throws IOException {
    if (parser.nextToken() != null) {
      throw new BadEventException("not valid JSON: trailing content after the object");
    }
  }

  /** The current value (an object, array, number, true, false or null) as compact JSON. */
  private static String compact(JsonParser parser) throws IOException {
    java.io.StringWriter out = new java.io.StringWriter(64);
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      generator.copyCurrentStructure(parser);
    }
    return out.toString();
  }

  /** A {@code POST /publish} body: one object, or a non-empty array of objects. */
  public static List<PublishRequest> parseBody(ByteBuf body) {
    // Most bodies are one compact object: read as they are, without a tree (CompactBody).
    byte[] bytes = new byte[body.readableBytes()];
    body.getBytes(body.readerIndex(), bytes);
    CompactBody.Fields compact = CompactBody.scan(bytes, bytes.length);
    if (compact != null) {
      Fields fields = new Fields();
      if (compact.topic() != null) {
        fields.topic(compact.topic());
      }
      if (compact.hasEvent()) {
        fields.event(compact.event(), compact.event() != null ? JsonToken.VALUE_STRING : JsonToken.VALUE_NULL);
      }
      if (compact.data() != null) {
        fields.data(compact.data());
      }
      return List.of(fields.toRequest(""));
    }
    return parseTree(body);
  }

  /** {@link #parseBody} through a Jackson tree: any body. */
  static List<PublishRequest> parseTree(ByteBuf body) {
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

  private static PublishRequest toRequest(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new BadEventException(where + "expected a JSON object");
    }
    Fields fields = new Fields();
    for (Iterator<java.util.Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      java.util.Map.Entry<String, JsonNode> field = it.next();
      JsonNode value = field.getValue();
      switch (field.getKey()) {
        case "topic" -> fields.topic(value.isTextual() ? value.textValue() : null);
        case "event" -> fields.event(value.isTextual() ? value.textValue() : null, value.asToken());
        case "data" -> fields.data(value.isTextual() ? value.textValue() : value.toString());
        default -> fields.unknown(field.getKey());
      }
    }
    return fields.toRequest(where);
  }

  /**
   * The fields of one event as they were read, checked only once the whole object is: the same
   * object gets the same answer whichever way it was read, and whatever order its fields are in.
   */
  private static final class Fields {
    private String unknown;
    private boolean hasTopic;
    private String topic;
    private JsonToken eventToken;
    private String event;
    private boolean hasData;
    private String data;

    /** @param text the topic, or null when it is not a string */
    void topic(String text) {
      hasTopic = true;
      topic = text;
    }

    /** @param text the type, or null when it is not a string ({@code token} says what it is) */
    void event(String text, JsonToken token) {
      eventToken = token;
      event = text;
    }

    void data(String text) {
      hasData = true;
      data = text;
    }

    void unknown(String name) {
      if (unknown == null) {
        unknown = name;
      }
    }

    PublishRequest toRequest(String where) {
      if (unknown != null) {
        throw new BadEventException(
            where + "unknown field \"" + unknown + "\" (known: topic, event, data)");
      }
      if (!hasTopic) {
        throw new BadEventException(where + "missing \"topic\"");
      }
      if (topic == null) {
        throw new BadEventException(where + "\"topic\" must be a string");
      }
      String topicProblem = TopicNames.problem(topic);
      if (topicProblem != null) {
        throw new BadEventException(where + topicProblem);
      }
      String type = null;
      if (eventToken != null && eventToken != JsonToken.VALUE_NULL) {
        if (event == null) {
          throw new BadEventException(where + "\"event\" must be a string");
        }
        type = event;
        String typeProblem = EventFields.typeProblem(type);
        if (typeProblem == null && EventFields.unicodeProblem(type) != null) {
          typeProblem = "event type " + EventFields.unicodeProblem(type);
        }
        if (typeProblem != null) {
          throw new BadEventException(where + typeProblem);
        }
      }
      if (!hasData) {
        throw new BadEventException(where + "missing \"data\"");
      }
      String dataProblem = EventFields.unicodeProblem(data);
      if (dataProblem != null) {
        throw new BadEventException(where + "\"data\" " + dataProblem);
      }
      return new PublishRequest(topic, type, data);
    }
  }
}
