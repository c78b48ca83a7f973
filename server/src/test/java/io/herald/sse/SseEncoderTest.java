package io.herald.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.history.EventId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SseEncoderTest {
  private static final EventId ID = new EventId(1700000000000L, 7);

  static Stream<Arguments> trickyPayloads() {
    return Stream.of(
        Arguments.of("plain text", "hello", "data: hello\n"),
        Arguments.of("compact JSON", "{\"a\":1}", "data: {\"a\":1}\n"),
        Arguments.of("LF splits lines", "a\nb", "data: a\ndata: b\n"),
        Arguments.of("CRLF is one line break", "a\r\nb", "data: a\ndata: b\n"),
        Arguments.of("lone CR is a line break", "a\rb", "data: a\ndata: b\n"),
        Arguments.of("lone CR cannot inject a field", "x\revent: admin", "data: x\ndata: event: admin\n"),
        Arguments.of("mixed line ends", "a\r\nb\rc\nd", "data: a\ndata: b\ndata: c\ndata: d\n"),
        Arguments.of("CR CR LF is two breaks", "a\r\r\nb", "data: a\ndata:\ndata: b\n"),
        Arguments.of("LF CR is two breaks", "a\n\rb", "data: a\ndata:\ndata: b\n"),
        Arguments.of("empty data", "", "data:\n"),
        Arguments.of("empty lines inside", "a\n\nb", "data: a\ndata:\ndata: b\n"),
        Arguments.of("trailing line break", "a\n", "data: a\ndata:\n"),
        Arguments.of("leading line break", "\na", "data:\ndata: a\n"),
        Arguments.of("only line breaks", "\n\n", "data:\ndata:\ndata:\n"),
        Arguments.of("leading space kept", " x", "data:  x\n"),
        Arguments.of("colon inside", "a: b", "data: a: b\n"),
        Arguments.of("unicode", "héllo 世界 🎉", "data: héllo 世界 🎉\n"),
        Arguments.of("a BOM inside data is data", "\uFEFFx", "data: \uFEFFx\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("trickyPayloads")
  void writesOneDataLinePerPayloadLine(String name, String data, String expectedDataLines) {
    assertEquals(
        "id: 1700000000000-7\n" + expectedDataLines + "\n", SseEncoder.text(ID.toString(), null, data));
  }

  @Test
  void writesEventTypeAfterId() {
    assertEquals(
        "id: 1700000000000-7\nevent: notification\ndata: x\n\n",
        SseEncoder.text(ID.toString(), "notification", "x"));
  }

  @Test
  void framesTheEventAsOneHttpChunkAroundThePayload() {
    SseEvent event = encode("héllo\nworld");
    try {
      ByteBuf chunk = event.http1Chunk();
      String wire = chunk.toString(StandardCharsets.UTF_8);
      chunk.release();
      String payload = event.payloadText();
      int size = payload.getBytes(StandardCharsets.UTF_8).length;
      assertEquals(Integer.toHexString(size) + "\r\n" + payload + "\r\n", wire);
      assertEquals(wire.getBytes(StandardCharsets.UTF_8).length, event.size());
      assertFalse(wire.startsWith("\uFEFF"));
    } finally {
      event.release();
    }
  }

  @Test
  void payloadIsTheEventStreamTextWithoutChunkFraming() {
    SseEvent event = encode("a\rb");
    try {
      ByteBuf payload = event.payload();
      assertEquals(
          "id: 1700000000000-7\ndata: a\ndata: b\n\n", payload.toString(StandardCharsets.UTF_8));
      payload.release();
    } finally {
      event.release();
    }
  }

  @Test
  void everyWriteSharesTheOneEncodedBufferAndReleasesItsOwnReference() {
    SseEvent event = encode("shared");
    assertEquals(1, event.refCnt());
    ByteBuf first = event.http1Chunk();
    ByteBuf second = event.payload();
    assertEquals(3, event.refCnt());
    assertTrue(first.release() == false && second.release() == false);
    assertEquals(1, event.refCnt());
    assertTrue(event.release());
    assertEquals(0, event.refCnt());
  }

  private static SseEvent encode(String data) {
    return SseEncoder.encode(ByteBufAllocator.DEFAULT, 1, ID, "t", null, data, 0);
  }
}
