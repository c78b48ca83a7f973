package io.herald.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class JsonLogEncoderTest {
  private final LoggerContext context = new LoggerContext();
  private final Logger logger = context.getLogger("io.herald.Example");
  private final JsonLogEncoder encoder = new JsonLogEncoder();

  private JsonNode encode(LoggingEvent event) throws Exception {
    encoder.setContext(context);
    encoder.start();
    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
    assertTrue(line.endsWith("\n"), line);
    assertEquals(line.length() - 1, line.indexOf('\n'), "one line: " + line);
    return new ObjectMapper().readTree(line);
  }

  @Test
  void anExceptionIsOneFieldAndAMessageWithNewlinesAndQuotesStaysOneLine() throws Exception {
    IllegalStateException thrown = new IllegalStateException("bad \"thing\"\nhappened");
    LoggingEvent event =
        new LoggingEvent("x", logger, Level.ERROR, "cannot {}:\n\t\"{}\"", thrown, new Object[] {"bind", "\u0001"});
    event.setTimeStamp(1_764_650_000_123L);
    JsonNode line = encode(event);
    assertEquals("2025-12-02T04:33:20.123Z", line.get("ts").asText());
    assertEquals("ERROR", line.get("level").asText());
    assertEquals("io.herald.Example", line.get("logger").asText());
    assertEquals("cannot bind:\n\t\"\u0001\"", line.get("msg").asText());
    JsonNode exception = line.get("exception");
    assertEquals(IllegalStateException.class.getName(), exception.get("class").asText());
    assertEquals("bad \"thing\"\nhappened", exception.get("message").asText());
    assertTrue(exception.get("stack").asText().contains("JsonLogEncoderTest"), exception.toString());
  }

  @Test
  void keyValuePairsBecomeTypedFieldsAndNeverReplaceTheStandardOnes() throws Exception {
    LoggingEvent event = new LoggingEvent("x", logger, Level.INFO, "herald started", null, null);
    event.addKeyValuePair(new KeyValuePair("http-port", 8080));
    event.addKeyValuePair(new KeyValuePair("history-bytes", 64L << 20));
    event.addKeyValuePair(new KeyValuePair("tls", false));
    event.addKeyValuePair(new KeyValuePair("transport", "epoll"));
    event.addKeyValuePair(new KeyValuePair("msg", "not the message"));
    JsonNode line = encode(event);
    assertTrue(line.get("http-port").isIntegralNumber());
    assertEquals(8080, line.get("http-port").asInt());
    assertEquals(64L << 20, line.get("history-bytes").asLong());
    assertTrue(line.get("tls").isBoolean());
    assertEquals("epoll", line.get("transport").asText());
    assertEquals("herald started", line.get("msg").asText());
    assertEquals("not the message", line.get("kv-msg").asText());
    assertTrue(!line.has("exception"));
  }
}
