package io.herald.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * Logback encoder for {@code --log-format json}: one JSON object per line, for log shippers
 * that index fields instead of parsing text. Every line has {@code ts} (ISO-8601, UTC, to the
 * millisecond), {@code level}, {@code logger}, {@code thread} and {@code msg}; the key-value pairs
 * a log call adds through SLF4J's fluent API ({@code log.atInfo().addKeyValue("http-port", 8080)})
 * become fields of their own, with their JSON types; an exception is one {@code exception} field
 * (class, message and stack trace as text), never extra lines.
 *
 * <p>Jackson (already Herald's JSON library) does the escaping, so a message with quotes, newlines
 * or control characters still makes exactly one valid line.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
  /** The fields every line has; a key-value pair with one of these names is written as {@code kv-NAME}. */
  static final Set<String> RESERVED = Set.of("ts", "level", "logger", "thread", "msg", "exception");

  private static final byte[] NOTHING = new byte[0];
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public byte[] headerBytes() {
    return NOTHING;
  }

  @Override
  public byte[] footerBytes() {
    return NOTHING;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.getFactory().createGenerator(line, JsonEncoding.UTF8)) {
      json.writeStartObject();
      json.writeStringField("ts", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      json.writeStringField("level", event.getLevel().toString());
      json.writeStringField("logger", event.getLoggerName());
      json.writeStringField("thread", event.getThreadName());
      json.writeStringField("msg", event.getFormattedMessage());
      List<KeyValuePair> fields = event.getKeyValuePairs();
      if (fields != null) {
        for (KeyValuePair field : fields) {
          json.writeFieldName(RESERVED.contains(field.key) ? "kv-" + field.key : field.key);
          writeValue(json, field.value);
        }
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        json.writeObjectFieldStart("exception");
        json.writeStringField("class", thrown.getClassName());
        json.writeStringField("message", thrown.getMessage());
        json.writeStringField("stack", ThrowableProxyUtil.asString(thrown));
        json.writeEndObject();
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    line.write('\n');
    return line.toByteArray();
  }

  /** Numbers and booleans keep their type; everything else is its text. */
  private static void writeValue(JsonGenerator json, Object value) throws IOException {
    if (value == null) {
      json.writeNull();
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte) {
      json.writeNumber(((Number) value).longValue());
    } else if (value instanceof Double || value instanceof Float) {
      json.writeNumber(((Number) value).doubleValue());
    } else if (value instanceof Boolean flag) {
      json.writeBoolean(flag);
    } else {
      json.writeString(String.valueOf(value));
    }
  }
}
