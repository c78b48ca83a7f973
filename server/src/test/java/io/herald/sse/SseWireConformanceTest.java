package io.herald.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.history.EventId;
import io.herald.testing.EventSourceClient;
import io.herald.testing.NettyLeaks;
import io.herald.testing.ReferenceSseParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Herald's wire format judged by an independent parser: generated events go through the real
 * encoder ({@link SseEncoder#encode}), the bytes a client would receive go to the npm package
 * {@code eventsource-parser} in Node ({@link ReferenceSseParser}) and, over a real HTTP
 * connection, to the npm {@code eventsource} client ({@link EventSourceClient}, the browser's
 * {@code EventSource} for Node), and what they read back must be exactly the events that were
 * published.
 *
 * <p>"Exactly" means what the WHATWG standard lets survive the trip: the id and the event type
 * byte for byte (they never contain CR, LF or NUL: {@link EventFields}), and the data with every
 * line break — CRLF, lone CR or LF — turned into LF, since the client joins the data lines with
 * LF and cannot know which break the publisher wrote. Everything else (NUL, a BOM, text that
 * looks like a field, empty lines, astral characters, long lines) must come back unchanged.
 */
class SseWireConformanceTest {
  private static ReferenceSseParser parser;
  private static EventSourceClient client;

  @BeforeContainer
  static void startParser() throws Exception {
    parser = ReferenceSseParser.start();
    client = EventSourceClient.start();
  }

  @AfterContainer
  static void stopParser() throws Exception {
    if (parser != null) {
      parser.close();
    }
    if (client != null) {
      client.close();
    }
    NettyLeaks.check();
  }

  record Published(EventId id, String type, String data) {}

  @Property(tries = 200)
  void referenceParserReadsBackEveryPublishedEvent(
      @ForAll("streams") List<Published> events, @ForAll("heartbeatEvery") int heartbeatEvery)
      throws Exception {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes(SseFrames.opening(3000, 0).getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < events.size(); i++) {
      wire.writeBytes(encodedPayload(i + 1, events.get(i)));
      if (heartbeatEvery > 0 && i % heartbeatEvery == 0) {
        wire.writeBytes(SseFrames.HEARTBEAT.getBytes(StandardCharsets.UTF_8));
      }
    }
    byte[] bytes = wire.toByteArray();
    JsonNode parsed = parser.parse(bytes);

    assertEquals("[]", parsed.get("errors").toString(), "the reference parser reported errors");
    assertEquals(List.of(3000), ints(parsed.get("retries")));
    assertEquals(events.size(), parsed.get("events").size(), "events dispatched");
    for (int i = 0; i < events.size(); i++) {
      Published sent = events.get(i);
      JsonNode got = parsed.get("events").get(i);
      String where = "event " + i + " of " + events.size();
      assertEquals(sent.id().toString(), got.get("id").asText(), where + ": id");
      assertEquals(sent.id().toString(), got.get("lastEventId").asText(), where + ": last event id");
      assertEquals(sent.type(), got.get("event").isNull() ? null : got.get("event").asText(), where + ": type");
      assertEquals(asClientSeesIt(sent.data()), got.get("data").asText(), where + ": data");
    }
  }

  /**
   * The same streams, as a browser's {@code EventSource} receives them: the npm {@code eventsource}
   * client reads them over a real HTTP connection, the body cut into pieces at arbitrary bytes
   * (mid-line, mid-character), and must dispatch exactly the published events — type, data and
   * id — then come back after the stream's {@code retry:} with the last id as {@code
   * Last-Event-ID}. The reconnection delay is a few milliseconds here so that many streams fit in
   * a test; the edge cases below use real ones.
   */
  @Property(tries = 100)
  void eventsourceClientReceivesEveryPublishedEventAndResumesFromTheLastId(
      @ForAll("streams") List<Published> events,
      @ForAll("heartbeatEvery") int heartbeatEvery,
      @ForAll @IntRange(min = 1, max = 20) int retryMillis,
      @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 2_000_000) Integer> cuts)
      throws Exception {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes(SseFrames.opening(retryMillis, 0).getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < events.size(); i++) {
      wire.writeBytes(encodedPayload(i + 1, events.get(i)));
      if (heartbeatEvery > 0 && i % heartbeatEvery == 0) {
        wire.writeBytes(SseFrames.HEARTBEAT.getBytes(StandardCharsets.UTF_8));
      }
    }
    byte[] bytes = wire.toByteArray();
    JsonNode seen = client.play(bytes, cuts.stream().map(c -> c % (bytes.length + 1)).toList());

    assertEquals("[]", seen.get("errors").toString(), "the client reported errors");
    assertEquals(events.size(), seen.get("events").size(), "events dispatched");
    for (int i = 0; i < events.size(); i++) {
      Published sent = events.get(i);
      JsonNode got = seen.get("events").get(i);
      String where = "event " + i + " of " + events.size();
      assertEquals(sent.type() == null ? "message" : sent.type(), got.get("type").asText(), where + ": type");
      assertEquals(asClientSeesIt(sent.data()), got.get("data").asText(), where + ": data");
      assertEquals(sent.id().toString(), got.get("lastEventId").asText(), where + ": id");
    }
    assertTrue(seen.hasNonNull("reconnect"), "the client came back after the stream ended: " + seen);
    assertEquals(
        events.get(events.size() - 1).id().toString(),
        seen.get("reconnect").get("lastEventId").asText(),
        "Last-Event-ID of the reconnect");
  }

  /** The standard's data buffer: lines joined with LF, whichever break ended them. */
  static String asClientSeesIt(String data) {
    return data.replace("\r\n", "\n").replace('\r', '\n');
  }

  /** The event-stream text of one event, as Herald's encoder wrote it (HTTP/2's DATA bytes). */
  private static byte[] encodedPayload(long position, Published e) {
    SseEvent event =
        SseEncoder.encode(ByteBufAllocator.DEFAULT, position, e.id(), "t", e.type(), e.data(), 0L);
    try {
      ByteBuf chunk = event.http1Chunk();
      ByteBuf payload = event.payload();
      try {
        // The HTTP/1.1 framing around it must announce exactly the payload's size.
        String head = Integer.toHexString(payload.readableBytes()) + "\r\n";
        assertEquals(head, chunk.toString(chunk.readerIndex(), head.length(), StandardCharsets.US_ASCII));
        assertEquals(head.length() + payload.readableBytes() + 2, chunk.readableBytes());
        return ByteBufUtil.getBytes(payload);
      } finally {
        chunk.release();
        payload.release();
      }
    } finally {
      event.release();
    }
  }

  @Provide
  Arbitrary<Integer> heartbeatEvery() {
    return Arbitraries.integers().between(0, 5);
  }

  @Provide
  Arbitrary<List<Published>> streams() {
    Arbitrary<EventId> ids =
        Combinators.combine(
                Arbitraries.longs().between(0, Long.MAX_VALUE),
                Arbitraries.longs().between(0, Long.MAX_VALUE))
            .as(EventId::new);
    Arbitrary<String> types =
        Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just((String) null)),
                Tuple.of(2, Arbitraries.of("notification", "reset", "message", " spaced ", "data: x", ":")),
                Tuple.of(
                    3,
                    Arbitraries.frequencyOf(
                            Tuple.of(3, unicodeText(1, 20)),
                            Tuple.of(1, Arbitraries.of(" ", ":", "\uFEFF", "\t", "id: 1")))
                        .list().ofMinSize(1).ofMaxSize(6)
                        .map(parts -> String.join("", parts))))
            .filter(t -> t == null || EventFields.typeProblem(t) == null);
    return Combinators.combine(ids, types, data()).as(Published::new).list().ofMinSize(1).ofMaxSize(40);
  }

  /** Data built from pieces that stress the format, in any order. */
  private static Arbitrary<String> data() {
    Arbitrary<String> breaksAndTraps =
        Arbitraries.of(
            "\n", "\r", "\r\n", "\n\r", "\r\r", "\n\n", "\0", "", " ", ":", "\uFEFF",
            "data: forged", "id: 99-0", "event: admin", "retry: 1", "\r\nid: 1-1\r\n\r\n");
    Arbitrary<String> longLines =
        Combinators.combine(Arbitraries.integers().between(1_000, 70_000), unicodeText(1, 3))
            .as((n, unit) -> unit.repeat(Math.max(1, n / unit.length())));
    Arbitrary<String> piece =
        Arbitraries.frequencyOf(
            Tuple.of(6, unicodeText(0, 30)), Tuple.of(5, breaksAndTraps), Tuple.of(1, longLines));
    return piece.list().ofMaxSize(12).map(parts -> String.join("", parts));
  }

  /** Valid Unicode text: any code point but a lone surrogate, astral ones included. */
  private static Arbitrary<String> unicodeText(int min, int max) {
    Arbitrary<Integer> codePoints =
        Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0x20, 0x7E)),
                Tuple.of(2, Arbitraries.integers().between(0, 0x10FFFF)),
                Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10FFFF)))
            .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE);
    return codePoints
        .list().ofMinSize(min).ofMaxSize(max)
        .map(cps -> cps.stream().map(Character::toString).reduce("", String::concat));
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> values = new ArrayList<>();
    array.forEach(n -> values.add(n.asInt()));
    return values;
  }

  // --- the standard's edge cases, one by one ---

  @Example
  void streamOpensWithRetryThatTheClientAccepts() throws Exception {
    byte[] opening = SseFrames.opening(3000, 2048).getBytes(StandardCharsets.UTF_8);
    assertTrue(new String(opening, StandardCharsets.US_ASCII).startsWith("retry: 3000\n"), "first line");
    JsonNode parsed = parser.parse(opening);
    assertEquals(List.of(3000), ints(parsed.get("retries")));
    assertEquals("[]", parsed.get("errors").toString());
    assertEquals(0, parsed.get("events").size(), "the opening dispatches no event");
  }

  @Example
  void lastEventIdPersistsAcrossEventsWithoutAnIdAndHeartbeats() throws Exception {
    EventId first = new EventId(1700000000000L, 1);
    EventId second = new EventId(1700000000000L, 2);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes(SseFrames.opening(3000, 0).getBytes(StandardCharsets.UTF_8));
    wire.writeBytes(encodedPayload(1, new Published(first, null, "one")));
    wire.writeBytes(SseFrames.HEARTBEAT.getBytes(StandardCharsets.UTF_8));
    // A reset carries no id: the client keeps the last one it had.
    wire.writeBytes(SseFrames.reset(first).getBytes(StandardCharsets.UTF_8));
    wire.writeBytes(encodedPayload(2, new Published(second, "notification", "two")));
    JsonNode events = parser.parse(wire.toByteArray()).get("events");

    assertEquals(3, events.size());
    assertEquals(first.toString(), events.get(0).get("lastEventId").asText());
    assertEquals("reset", events.get(1).get("event").asText());
    assertTrue(events.get(1).get("id").isNull(), "a reset has no id field");
    assertEquals(first.toString(), events.get(1).get("lastEventId").asText(), "kept across the reset");
    assertEquals(second.toString(), events.get(2).get("lastEventId").asText());
  }

  @Example
  void noBomIsEverEmittedEvenWhenTheDataStartsWithOne() throws Exception {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] opening = SseFrames.opening(3000, 0).getBytes(StandardCharsets.UTF_8);
    assertFalse(startsWith(opening, bom), "the stream's first bytes");
    byte[] event = encodedPayload(1, new Published(new EventId(1, 1), null, "\uFEFFx"));
    assertFalse(startsWith(event, bom), "an event's first bytes");
    // A BOM in the data is data: it comes back, because it is not at the start of the stream.
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes(opening);
    wire.writeBytes(event);
    JsonNode parsed = parser.parse(wire.toByteArray());
    assertFalse(parsed.get("startsWithBom").asBoolean());
    assertEquals("\uFEFFx", parsed.get("events").get(0).get("data").asText());
  }

  @Example
  void loneSurrogatesInDataCannotForgeFieldsOrBreakUtf8() throws Exception {
    // A JSON "\\ud800\\u010a" used to reach the wire as "?" + a bare LF: a forged field. The
    // parser refuses it now; the encoder, given one anyway, writes U+FFFD.
    String data = "x\uD800\u010Aevent: admin\nb\uDC00\uD83D\u00E9\uD83D";
    String type = "t\uD800\u010D";
    JsonNode parsed = parser.parse(encodedPayload(1, new Published(new EventId(1, 1), type, data)));
    assertEquals("[]", parsed.get("errors").toString(), "valid UTF-8, no stray fields");
    assertEquals(1, parsed.get("events").size());
    JsonNode event = parsed.get("events").get(0);
    assertEquals("t\uFFFD\u010D", event.get("event").asText());
    assertEquals("x\uFFFD\u010Aevent: admin\nb\uFFFD\uFFFD\u00E9\uFFFD", event.get("data").asText());
  }

  // --- the same edge cases, as the eventsource client lives them over HTTP ---

  @Example
  void eventsourceClientWaitsTheFirstRetryAndALaterRetryReplacesIt() throws Exception {
    EventId id = new EventId(1700000000000L, 1);
    // The opening's retry: the client waits at least that long before it comes back.
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes(SseFrames.opening(400, 0).getBytes(StandardCharsets.UTF_8));
    wire.writeBytes(encodedPayload(1, new Published(id, null, "one")));
    JsonNode seen = client.play(wire.toByteArray(), List.of());
    assertEquals("[]", seen.get("errors").toString());
    assertEquals(1, seen.get("events").size());
    assertTrue(seen.get("reconnect").get("afterMs").asDouble() >= 390, "waited the retry: " + seen);

    // The graceful stop's retry (a minute to the opening's, 50 ms at the end) is the one the
    // client uses: it is back long before the opening's minute (or the Node side gives up at 20 s).
    wire.reset();
    wire.writeBytes(SseFrames.opening(60_000, 0).getBytes(StandardCharsets.UTF_8));
    wire.writeBytes(encodedPayload(1, new Published(id, null, "one")));
    wire.writeBytes(SseFrames.retry(50).getBytes(StandardCharsets.UTF_8));
    seen = client.play(wire.toByteArray(), List.of());
    assertEquals("[]", seen.get("errors").toString(), "came back after the last retry");
    assertEquals(id.toString(), seen.get("reconnect").get("lastEventId").asText());
  }

  @Example
  void eventsourceClientKeepsTheLastIdAcrossResetAndHeartbeatsAndOnlyAnEmptyIdClearsIt()
      throws Exception {
    EventId first = new EventId(1700000000000L, 1);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes(SseFrames.opening(5, 0).getBytes(StandardCharsets.UTF_8));
    wire.writeBytes(encodedPayload(1, new Published(first, null, "one")));
    wire.writeBytes(SseFrames.HEARTBEAT.getBytes(StandardCharsets.UTF_8));
    wire.writeBytes(SseFrames.reset(first).getBytes(StandardCharsets.UTF_8));
    JsonNode seen = client.play(wire.toByteArray(), List.of());
    assertEquals("[]", seen.get("errors").toString());
    assertEquals(List.of("message", "reset"), types(seen));
    // Herald's reset has no id field, so the client still resumes from its last real event.
    assertEquals(first.toString(), seen.get("reconnect").get("lastEventId").asText(), seen.toString());

    // An empty id: line is the standard's way to clear it (the client then sends no
    // Last-Event-ID); Herald never writes one, since its ids are never empty.
    assertTrue(new String(encodedPayload(2, new Published(first, "t", "x")), StandardCharsets.UTF_8)
        .startsWith("id: " + first + "\n"), "an event's id line");
    wire.write("id:\ndata: cleared\n\n".getBytes(StandardCharsets.UTF_8));
    seen = client.play(wire.toByteArray(), List.of());
    assertEquals(List.of("message", "reset", "message"), types(seen));
    assertTrue(seen.get("reconnect").get("lastEventId").isNull(), "no Last-Event-ID: " + seen);
  }

  @Example
  void eventsourceClientSeesNoBomFromHeraldAndADataBomAsData() throws Exception {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes(SseFrames.opening(5, 0).getBytes(StandardCharsets.UTF_8));
    wire.writeBytes(encodedPayload(1, new Published(new EventId(1, 1), null, "\uFEFFx")));
    byte[] bytes = wire.toByteArray();
    assertFalse(startsWith(bytes, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}));
    // Cut right after the data's BOM too: a BOM is stripped at the start of the stream only.
    JsonNode seen = client.play(bytes, List.of(bytes.length - 3));
    assertEquals("[]", seen.get("errors").toString());
    assertEquals("\uFEFFx", seen.get("events").get(0).get("data").asText());
  }

  private static List<String> types(JsonNode seen) {
    List<String> types = new ArrayList<>();
    seen.get("events").forEach(e -> types.add(e.get("type").asText()));
    return types;
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
