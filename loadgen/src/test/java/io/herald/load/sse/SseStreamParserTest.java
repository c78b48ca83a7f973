package io.herald.load.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseStreamParserTest {
  private static final class Recording implements SseStreamParser.Sink {
    final List<String> events = new ArrayList<>();
    int comments;
    final List<Long> retries = new ArrayList<>();

    @Override
    public void onEvent(byte[] data, int length, boolean namedEvent) {
      events.add((namedEvent ? "named:" : "") + new String(data, 0, length, StandardCharsets.UTF_8));
    }

    @Override
    public void onComment() {
      comments++;
    }

    @Override
    public void onRetry(long millis) {
      retries.add(millis);
    }
  }

  private static final String STREAM =
      "retry: 3000\n: herald\n\n"
          + "id: 1-0\ndata: {\"s\":1,\"t\":5}\n\n"
          + "id: 1-1\r\ndata: line one\r\ndata: line two\r\n\r\n"
          + "id: 1-2\rdata:no space\r\r"
          + ": ping\n\n"
          + "event: reset\ndata: {\"reason\":\"x\"}\n\n"
          + "data: partial event never ended";

  private static final List<String> EXPECTED =
      List.of("{\"s\":1,\"t\":5}", "line one\nline two", "no space", "named:{\"reason\":\"x\"}");

  @Test
  void parsesTheWholeFormatWhateverTheSplit() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int split = 0; split <= bytes.length; split++) {
      Recording sink = new Recording();
      SseStreamParser parser = new SseStreamParser(sink);
      ByteBuf first = Unpooled.wrappedBuffer(bytes, 0, split);
      ByteBuf second = Unpooled.wrappedBuffer(bytes, split, bytes.length - split);
      parser.feed(first);
      parser.feed(second);
      assertEquals(EXPECTED, sink.events, "split at " + split);
      assertEquals(2, sink.comments, "split at " + split);
      assertEquals(List.of(3000L), sink.retries);
    }
  }

  @Test
  void byteByByteIsTheSameAsAllAtOnce() {
    Recording sink = new Recording();
    SseStreamParser parser = new SseStreamParser(sink);
    for (byte b : STREAM.getBytes(StandardCharsets.UTF_8)) {
      parser.feed(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    assertEquals(EXPECTED, sink.events);
  }

  /** As the native transports read: into direct buffers, which the parsers copy out of once per read. */
  private static ByteBuf direct(byte[] bytes, int from, int length) {
    return Unpooled.directBuffer(Math.max(1, length)).writeBytes(bytes, from, length);
  }

  @Test
  void directBuffersParseAsHeapBuffersDo() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int split = 0; split <= bytes.length; split++) {
      Recording sink = new Recording();
      SseStreamParser parser = new SseStreamParser(sink);
      ByteBuf first = direct(bytes, 0, split);
      ByteBuf second = direct(bytes, split, bytes.length - split);
      parser.feed(first);
      parser.feed(second);
      first.release();
      second.release();
      assertEquals(EXPECTED, sink.events, "split at " + split);
    }
  }

  @Test
  void chunkedFramingIsRemovedWhereverChunksAndReadsSplitInDirectBuffers() {
    String body = "retry: 3000\n: herald\n\nid: 1\ndata: {\"s\":7,\"t\":1}\n\n";
    StringBuilder chunked = new StringBuilder();
    for (int i = 0; i < body.length(); i += 11) {
      String part = body.substring(i, Math.min(body.length(), i + 11));
      chunked.append(Integer.toHexString(part.length()).toUpperCase()).append("\r\n").append(part).append("\r\n");
    }
    chunked.append("0\r\n\r\nafter the end");
    byte[] bytes = chunked.toString().getBytes(StandardCharsets.US_ASCII);
    for (int split = 0; split <= bytes.length; split++) {
      Recording sink = new Recording();
      ChunkedBodyDecoder decoder = new ChunkedBodyDecoder(new SseStreamParser(sink));
      ByteBuf first = direct(bytes, 0, split);
      ByteBuf second = direct(bytes, split, bytes.length - split);
      decoder.feed(first);
      decoder.feed(second);
      assertEquals(List.of("{\"s\":7,\"t\":1}"), sink.events, "split at " + split);
      assertEquals(true, decoder.isDone());
      assertEquals("\r\nafter the end".length(), first.readableBytes() + second.readableBytes(),
          "what follows the last chunk's size line is left unread");
      first.release();
      second.release();
    }
  }

  @Test
  void chunkedFramingIsRemovedWhereverChunksAndReadsSplit() {
    String body = "retry: 3000\n: herald\n\nid: 1\ndata: {\"s\":7,\"t\":1}\n\n";
    StringBuilder chunked = new StringBuilder();
    for (int i = 0; i < body.length(); i += 7) {
      String part = body.substring(i, Math.min(body.length(), i + 7));
      chunked.append(Integer.toHexString(part.length())).append("\r\n").append(part).append("\r\n");
    }
    chunked.append("0\r\n\r\n");
    byte[] bytes = chunked.toString().getBytes(StandardCharsets.US_ASCII);
    for (int split = 0; split <= bytes.length; split++) {
      Recording sink = new Recording();
      ChunkedBodyDecoder decoder = new ChunkedBodyDecoder(new SseStreamParser(sink));
      decoder.feed(Unpooled.wrappedBuffer(bytes, 0, split));
      decoder.feed(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
      assertEquals(List.of("{\"s\":7,\"t\":1}"), sink.events, "split at " + split);
      assertEquals(true, decoder.isDone());
    }
  }

  @Test
  void remembersTheIdOfTheLastDispatchedEventAcrossAReset() {
    Recording sink = new Recording();
    SseStreamParser parser = new SseStreamParser(sink);
    parser.feed(Unpooled.copiedBuffer("retry: 1000\n: herald\n\n", StandardCharsets.UTF_8));
    assertEquals(null, parser.lastEventId(), "no event with an id yet");
    parser.feed(Unpooled.copiedBuffer("id: 17-0\ndata: a\n\nevent: reset\ndata: b\n\n", StandardCharsets.UTF_8));
    assertEquals("17-0", parser.lastEventId(), "an event without an id keeps the last one");
    parser.feed(Unpooled.copiedBuffer("id: 18-0\ndata: never comp", StandardCharsets.UTF_8));
    assertEquals("17-0", parser.lastEventId(), "an event not yet dispatched does not count");
    parser.reset(); // the connection was cut mid-event; a new one starts
    parser.feed(Unpooled.copiedBuffer(": herald\n\ndata: c\n\n", StandardCharsets.UTF_8));
    assertEquals("17-0", parser.lastEventId(), "the half-read event's id was dropped with it");
    assertEquals(List.of("a", "named:b", "c"), sink.events);
  }
}
