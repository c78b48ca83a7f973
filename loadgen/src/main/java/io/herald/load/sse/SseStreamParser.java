package io.herald.load.sse;

import io.netty.buffer.ByteBuf;

/**
 * A minimal, allocation-free event-stream parser for the load generator's receive path: it
 * reads bytes as they come (any split), handles CR, LF and CRLF line ends, comments, {@code id},
 * {@code event}, {@code retry} and multi-line {@code data}, and calls the {@link Sink} when an
 * event is complete. Only the fields the measurement needs are kept: the data of the event is
 * handed over as a region of a reused buffer, never as a String.
 *
 * <p>One per stream; not thread-safe.
 */
public final class SseStreamParser {
  /** Receives what the parser finds. */
  public interface Sink {
    /** A complete event; {@code data} is valid only during the call. */
    void onEvent(byte[] data, int length, boolean namedEvent);

    void onComment();

    void onRetry(long millis);
  }

  private static final int MAX_LINE = 1 << 20;

  private final Sink sink;

  private byte[] line = new byte[256];
  private int lineLength;
  private boolean afterCr;
  private byte[] data = new byte[256];
  private int dataLength;
  private boolean hasData;
  private boolean namedEvent;
  private boolean overlong;
  /** The {@code id} field's value being collected for the event in progress (the spec's buffer). */
  private byte[] idBuffer = new byte[32];
  private int idBufferLength;
  /** The id of the last dispatched event: what a reconnect sends as {@code Last-Event-ID}. */
  private byte[] lastId = new byte[32];
  private int lastIdLength;

  public SseStreamParser(Sink sink) {
    this.sink = sink;
  }

  /**
   * The id in force when the last event was dispatched — what a reconnect sends as {@code
   * Last-Event-ID} — or null before any event with an id. Kept across {@link #reset()}, as an
   * {@code EventSource} keeps it across reconnects.
   */
  public String lastEventId() {
    return lastIdLength == 0 ? null : new String(lastId, 0, lastIdLength, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Forgets any partly read line or event: a new stream (a reconnect) starts from its first byte. */
  public void reset() {
    lineLength = 0;
    afterCr = false;
    dataLength = 0;
    hasData = false;
    namedEvent = false;
    overlong = false;
    // An id read for an event that never completed is not the last id: back to the dispatched one.
    System.arraycopy(lastId, 0, idBuffer, 0, lastIdLength);
    idBufferLength = lastIdLength;
  }

  /** Feeds the body bytes of the stream (after any transfer framing is removed). */
  public void feed(ByteBuf buf) {
    feed(buf, buf.readerIndex(), buf.readableBytes());
    buf.skipBytes(buf.readableBytes());
  }

  /** Feeds {@code length} body bytes of {@code buf} from {@code index}, leaving its indexes alone. */
  public void feed(ByteBuf buf, int index, int length) {
    if (buf.hasArray()) {
      int from = buf.arrayOffset() + index;
      feed(buf.array(), from, from + length);
    } else {
      feed(ReadBytes.copy(buf, index, length), 0, length);
    }
  }

  /**
   * Feeds the body bytes {@code in[from, end)}; nothing refers to {@code in} after the call (a
   * line that goes on in the next read is copied).
   */
  public void feed(byte[] in, int from, int end) {
    int i = from;
    while (i < end) {
      if (afterCr) {
        afterCr = false;
        if (in[i] == '\n') {
          i++;
          continue;
        }
      }
      int lineEnd = ReadBytes.lineEnd(in, i, end);
      if (lineEnd == end) {
        appendToLine(in, i, lineEnd - i);
        return; // the line goes on in the next bytes
      }
      afterCr = in[lineEnd] == '\r';
      if (lineLength == 0 && !overlong) {
        endLine(in, i, lineEnd - i); // the whole line is in these bytes: read it where it is
      } else {
        appendToLine(in, i, lineEnd - i);
        endLine();
      }
      i = lineEnd + 1;
    }
  }

  private void appendToLine(byte[] in, int from, int length) {
    if (length == 0 || overlong) {
      return;
    }
    if (lineLength + length > MAX_LINE) {
      overlong = true; // the rest of this line is dropped, and so is the line
      return;
    }
    if (lineLength + length > line.length) {
      line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, lineLength + length));
    }
    System.arraycopy(in, from, line, lineLength, length);
    lineLength += length;
  }

  private void endLine() {
    int n = lineLength;
    lineLength = 0;
    if (overlong) {
      overlong = false;
      return;
    }
    endLine(line, 0, n);
  }

  /** One complete line, without its end: {@code n} bytes of {@code buf} from {@code from}. */
  private void endLine(byte[] buf, int from, int n) {
    if (n == 0) {
      dispatch();
      return;
    }
    if (buf[from] == ':') {
      sink.onComment();
      return;
    }
    int end = from + n;
    int colon = indexOf(buf, from, end, (byte) ':');
    int nameEnd = colon < 0 ? end : colon;
    int valueStart = colon < 0 ? end : colon + 1;
    if (valueStart < end && buf[valueStart] == ' ') {
      valueStart++;
    }
    int nameLength = nameEnd - from;
    if (is(buf, from, nameLength, "data")) {
      if (hasData) {
        append((byte) '\n');
      }
      append(buf, valueStart, end - valueStart);
      hasData = true;
    } else if (is(buf, from, nameLength, "event")) {
      namedEvent = end > valueStart;
    } else if (is(buf, from, nameLength, "id")) {
      if (indexOf(buf, from, end, (byte) 0) < 0) { // an id containing NULL is ignored (the spec)
        idBufferLength = end - valueStart;
        if (idBuffer.length < idBufferLength) {
          idBuffer = new byte[idBufferLength];
        }
        System.arraycopy(buf, valueStart, idBuffer, 0, idBufferLength);
      }
    } else if (is(buf, from, nameLength, "retry")) {
      long value = 0;
      for (int i = valueStart; i < end; i++) {
        if (buf[i] < '0' || buf[i] > '9') {
          return;
        }
        value = value * 10 + (buf[i] - '0');
      }
      if (end > valueStart) {
        sink.onRetry(value);
      }
    }
    // unknown fields: nothing the measurement needs
  }

  private void dispatch() {
    if (hasData) {
      // The id buffer is not cleared between events: an event without an id keeps the last one.
      if (lastId.length < idBufferLength) {
        lastId = new byte[idBuffer.length];
      }
      System.arraycopy(idBuffer, 0, lastId, 0, idBufferLength);
      lastIdLength = idBufferLength;
      sink.onEvent(data, dataLength, namedEvent);
    }
    hasData = false;
    dataLength = 0;
    namedEvent = false;
  }

  private void append(byte b) {
    if (dataLength == data.length) {
      data = java.util.Arrays.copyOf(data, data.length * 2);
    }
    data[dataLength++] = b;
  }

  private void append(byte[] from, int index, int length) {
    if (dataLength + length > data.length) {
      data = java.util.Arrays.copyOf(data, Math.max(data.length * 2, dataLength + length));
    }
    System.arraycopy(from, index, data, dataLength, length);
    dataLength += length;
  }

  private static int indexOf(byte[] bytes, int from, int end, byte b) {
    for (int i = from; i < end; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static boolean is(byte[] bytes, int from, int n, String name) {
    if (n != name.length()) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (bytes[from + i] != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
