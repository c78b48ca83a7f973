package io.herald.sse;

import io.herald.history.EventId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * Writes an event in the WHATWG event-stream format, once, into a buffer that every subscriber
 * shares (see {@link SseEvent}).
 *
 * <p>The payload is split on CRLF, LF and lone CR — the three line ends a browser accepts — into
 * one {@code data:} line each; splitting on LF alone would let a lone CR in a payload start a
 * forged field. {@code id:} and {@code event:} have been checked for CR, LF and NUL before they
 * get here ({@link EventFields}); a lone surrogate, which has no UTF-8 form, is written as U+FFFD.
 * Output is UTF-8 with LF line ends and never starts with a BOM.
 */
public final class SseEncoder {
  private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DATA_EMPTY = "data:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CRLF = {'\r', '\n'};

  private SseEncoder() {}

  /**
   * Encodes one event as an HTTP/1.1 chunk around its event-stream text.
   *
   * @param position the event's place in the publish order
   * @param type the {@code event:} field, or {@code null} for none (the client's default,
   *     {@code message})
   */
  public static SseEvent encode(
      ByteBufAllocator alloc,
      long position,
      EventId id,
      String topic,
      String type,
      String data,
      long acceptedNanos) {
    String idText = id.toString();
    // Checked at ingest already; replaced here too, since a lone surrogate is an injection.
    type = type == null ? null : EventFields.wellFormed(type);
    data = EventFields.wellFormed(data);
    int payloadLength = payloadLength(idText, type, data);
    String sizeHex = Integer.toHexString(payloadLength);
    int headerLength = sizeHex.length() + CRLF.length;
    ByteBuf buf = alloc.directBuffer(headerLength + payloadLength + CRLF.length);
    try {
      buf.writeCharSequence(sizeHex, StandardCharsets.US_ASCII);
      buf.writeBytes(CRLF);
      writePayload(buf, idText, type, data);
      buf.writeBytes(CRLF);
    } catch (RuntimeException e) {
      buf.release();
      throw e;
    }
    return new SseEvent(position, id, idText, topic, buf, headerLength, payloadLength, acceptedNanos);
  }

  /**
   * Several events of one topic, {@code events[from..to)} in publish order, copied into one
   * chunk: a subscriber that needs all of them gets them in one write instead of one each. The
   * copy is made once per delivery batch and shared by every subscriber of the topic on the
   * loop. The caller owns the returned run's one reference.
   */
  public static SseEvent run(ByteBufAllocator alloc, SseEvent[] events, int from, int to) {
    int payloadLength = 0;
    for (int i = from; i < to; i++) {
      payloadLength += events[i].payloadLength();
    }
    String sizeHex = Integer.toHexString(payloadLength);
    int headerLength = sizeHex.length() + CRLF.length;
    ByteBuf buf = alloc.directBuffer(headerLength + payloadLength + CRLF.length);
    buf.writeCharSequence(sizeHex, StandardCharsets.US_ASCII);
    buf.writeBytes(CRLF);
    for (int i = from; i < to; i++) {
      events[i].writePayloadTo(buf);
    }
    buf.writeBytes(CRLF);
    SseEvent first = events[from];
    SseEvent last = events[to - 1];
    return new SseEvent(
        first.firstPosition(), to - from, last.position(), last.id(), last.idText(), last.topic(), buf,
        headerLength, payloadLength, first.acceptedNanos());
  }

  /** The event-stream text alone (no chunk framing), for tests and for HTTP/2 users of it. */
  public static String text(String id, String type, String data) {
    type = type == null ? null : EventFields.wellFormed(type);
    data = EventFields.wellFormed(data);
    ByteBuf buf = io.netty.buffer.Unpooled.buffer(payloadLength(id, type, data));
    try {
      writePayload(buf, id, type, data);
      return buf.toString(StandardCharsets.UTF_8);
    } finally {
      buf.release();
    }
  }

  private static int payloadLength(String id, String type, String data) {
    int length = ID.length + ByteBufUtil.utf8Bytes(id) + 1;
    if (type != null) {
      length += EVENT.length + ByteBufUtil.utf8Bytes(type) + 1;
    }
    int start = 0;
    int n = data.length();
    while (true) {
      int end = lineEnd(data, start);
      length += (end == start ? DATA_EMPTY.length : DATA.length + ByteBufUtil.utf8Bytes(data, start, end)) + 1;
      if (end == n) {
        break;
      }
      start = skipLineBreak(data, end);
    }
    return length + 1; // the blank line that ends the event
  }

  private static void writePayload(ByteBuf buf, String id, String type, String data) {
    buf.writeBytes(ID);
    ByteBufUtil.writeUtf8(buf, id);
    buf.writeByte('\n');
    if (type != null) {
      buf.writeBytes(EVENT);
      ByteBufUtil.writeUtf8(buf, type);
      buf.writeByte('\n');
    }
    int start = 0;
    int n = data.length();
    while (true) {
      int end = lineEnd(data, start);
      if (end == start) {
        buf.writeBytes(DATA_EMPTY);
      } else {
        buf.writeBytes(DATA);
        ByteBufUtil.writeUtf8(buf, data, start, end);
      }
      buf.writeByte('\n');
      if (end == n) {
        break;
      }
      start = skipLineBreak(data, end);
    }
    buf.writeByte('\n');
  }

  /** Index of the first CR or LF at or after {@code from}, or the length. */
  private static int lineEnd(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r') {
        return i;
      }
    }
    return s.length();
  }

  /** Past the line break at {@code at}: CRLF counts as one break, a lone CR or LF as one. */
  private static int skipLineBreak(String s, int at) {
    if (s.charAt(at) == '\r' && at + 1 < s.length() && s.charAt(at + 1) == '\n') {
      return at + 2;
    }
    return at + 1;
  }
}
