package io.herald.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventJsonParserTest {
  @Test
  void stringDataIsSentAsItsTextExactly() {
    PublishRequest r =
        EventJsonParser.parseLine("{\"topic\":\"t\",\"data\":\"a\\r\\nb\\rc\\u2028 é 🎉\"}");
    assertEquals(new PublishRequest("t", null, "a\r\nb\rc\u2028 é 🎉"), r);
  }

  @Test
  void refusesLoneSurrogatesWhichHaveNoUtf8FormAndCouldForgeFields() {
    // Found by SseWireConformanceTest: Netty's UTF-8 writer wrote "\\ud800\\u010a" as "?" + LF.
    for (String json :
        List.of(
            "{\"topic\":\"t\",\"data\":\"x\\ud800\\u010aevent: admin\"}",
            "{\"topic\":\"t\",\"data\":{\"k\":\"\\udc00\"}}",
            "{\"topic\":\"t\",\"event\":\"a\\ud83d\",\"data\":\"x\"}")) {
      String line = assertThrows(BadEventException.class, () -> EventJsonParser.parseLine(json)).getMessage();
      assertTrue(line.contains("lone surrogate"), line);
      String body =
          assertThrows(BadEventException.class, () -> EventJsonParser.parseBody(body(json))).getMessage();
      assertEquals(line, body);
    }
    assertEquals(
        new PublishRequest("t", null, "\uD83C\uDF89"),
        EventJsonParser.parseLine("{\"topic\":\"t\",\"data\":\"\\ud83c\\udf89\"}"),
        "an escaped surrogate pair is fine");
  }

  @Test
  void aByteOrderMarkBeforeTheObjectIsIgnoredAndANullEventIsNoEvent() {
    assertEquals(
        new PublishRequest("t", null, "x"),
        EventJsonParser.parseLine("\uFEFF{\"topic\":\"t\",\"event\":null,\"data\":\"x\"}"));
  }

  @Test
  void otherDataIsSentAsCompactJson() {
    assertEquals(
        "{\"id\":1,\"list\":[1,2,{\"x\":null}],\"s\":\"q\\\"\"}",
        EventJsonParser.parseLine(
                "{ \"topic\" : \"t\", \"data\" : { \"id\" : 1, \"list\" : [1, 2, {\"x\": null}], \"s\": \"q\\\"\" } }")
            .data());
    assertEquals("42", EventJsonParser.parseLine("{\"topic\":\"t\",\"data\":42}").data());
    assertEquals("null", EventJsonParser.parseLine("{\"topic\":\"t\",\"data\":null}").data());
    assertEquals("true", EventJsonParser.parseLine("{\"topic\":\"t\",\"data\":true}").data());
  }

  @Test
  void eventTypeIsOptional() {
    assertEquals(
        "notification",
        EventJsonParser.parseLine("{\"topic\":\"t\",\"event\":\"notification\",\"data\":1}").type());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[1]|expected a JSON object",
        "\"x\"|expected a JSON object",
        "{\"data\":1}|missing \"topic\"",
        "{\"topic\":1,\"data\":1}|\"topic\" must be a string",
        "{\"topic\":\"a b\",\"data\":1}|topic contains ' ' (allowed: letters, digits, '.', '_', '-', ':')",
        "{\"topic\":\"\",\"data\":1}|topic is empty",
        "{\"topic\":\"t\"}|missing \"data\"",
        "{\"topic\":\"t\",\"event\":5,\"data\":1}|\"event\" must be a string",
        "{\"topic\":\"t\",\"event\":\"a\\nb\",\"data\":1}|event type contains CR, LF or NUL",
        "{\"topic\":\"t\",\"event\":\"a\\u0000\",\"data\":1}|event type contains CR, LF or NUL",
        "{\"topic\":\"t\",\"evnt\":\"x\",\"data\":1}|unknown field \"evnt\" (known: topic, event, data)"
      })
  void refusesWithAReasonAPublisherCanActOn(String line, String reason) {
    assertEquals(reason, assertThrows(BadEventException.class, () -> EventJsonParser.parseLine(line)).getMessage());
  }

  @Test
  void refusesBrokenJsonDuplicateKeysTrailingContentAndDeepNesting() {
    for (String bad :
        List.of(
            "{\"topic\":\"t\",",
            "{\"topic\":\"t\",\"topic\":\"u\",\"data\":1}",
            "{\"topic\":\"t\",\"data\":1} {}",
            "{\"topic\":\"t\",\"data\":" + "[".repeat(100) + "]".repeat(100) + "}")) {
      String message = assertThrows(BadEventException.class, () -> EventJsonParser.parseLine(bad)).getMessage();
      assertTrue(message.startsWith("not valid JSON: "), message);
    }
  }

  @Test
  void bodyIsOneEventOrANonEmptyArrayAndErrorsNameTheIndex() {
    assertEquals(1, EventJsonParser.parseBody(body("{\"topic\":\"t\",\"data\":1}")).size());
    assertEquals(
        List.of(new PublishRequest("a", null, "1"), new PublishRequest("b", "x", "2")),
        EventJsonParser.parseBody(
            body("[{\"topic\":\"a\",\"data\":1},{\"topic\":\"b\",\"event\":\"x\",\"data\":2}]")));
    assertEquals(
        "event 2: missing \"data\"",
        assertThrows(
                BadEventException.class,
                () ->
                    EventJsonParser.parseBody(
                        body("[{\"topic\":\"a\",\"data\":1},{\"topic\":\"a\",\"data\":2},{\"topic\":\"a\"}]")))
            .getMessage());
    assertEquals(
        "the array is empty",
        assertThrows(BadEventException.class, () -> EventJsonParser.parseBody(body("[]"))).getMessage());
    assertTrue(
        assertThrows(BadEventException.class, () -> EventJsonParser.parseBody(body("")))
            .getMessage()
            .startsWith("the body is empty"));
  }

  private static ByteBuf body(String json) {
    // Unpooled heap buffers need no release; the parser must not consume the caller's buffer.
    ByteBuf buf = Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8));
    return buf;
  }

  /** Ingest lines are streamed, bodies read as trees: the same object gets the same answer. */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "{\"topic\":\"t\",\"data\":{\"a\":[1,2.5,-3e2,true,null,\"x\\u00e9\"]}}",
        "{\"data\":\"d\",\"event\":\"e\",\"topic\":\"t\"}",
        "{\"topic\":\"t\",\"event\":null,\"data\":[]}",
        "{\"topic\":null,\"data\":1}",
        "{\"topic\":[\"t\"],\"data\":1}",
        "{\"topic\":\"t\",\"event\":{},\"data\":1}",
        "{\"x\":{\"deep\":[1]},\"topic\":\"t\",\"data\":1}",
        "{\"topic\":\"t\",\"data\":1,\"y\":2}",
        "{}",
        "7"
      })
  void linesAndBodiesGiveTheSameAnswer(String json) {
    Object line;
    Object body;
    try {
      line = EventJsonParser.parseLine(json);
    } catch (BadEventException e) {
      line = e.getMessage();
    }
    try {
      body = EventJsonParser.parseBody(body(json)).get(0);
    } catch (BadEventException e) {
      body = e.getMessage();
    }
    assertEquals(body, line);
  }
}
