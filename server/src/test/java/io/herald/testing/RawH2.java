package io.herald.testing;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/2 written and read byte by byte, for clients that break the rules on purpose: Netty's
 * own client refuses to send what these tests must send (too many streams, oversized headers,
 * frames that provoke resets).
 */
public final class RawH2 {
  public static final int DATA = 0x0;
  public static final int HEADERS = 0x1;
  public static final int RST_STREAM = 0x3;
  public static final int SETTINGS = 0x4;
  public static final int PING = 0x6;
  public static final int GOAWAY = 0x7;
  public static final int WINDOW_UPDATE = 0x8;
  public static final int CONTINUATION = 0x9;

  public static final int END_STREAM = 0x1;
  public static final int END_HEADERS = 0x4;

  /** ENHANCE_YOUR_CALM: the error code of a GOAWAY sent to a flooding peer. */
  public static final long ENHANCE_YOUR_CALM = 0xb;

  private RawH2() {}

  /** One frame read from the wire. */
  public record Frame(int type, int flags, int stream, byte[] payload) {
    /** The error code of a RST_STREAM (bytes 0–3) or a GOAWAY (bytes 4–7). */
    public long errorCode() {
      int at = type == GOAWAY ? 4 : 0;
      return ((payload[at] & 0xffL) << 24)
          | ((payload[at + 1] & 0xff) << 16)
          | ((payload[at + 2] & 0xff) << 8)
          | (payload[at + 3] & 0xff);
    }
  }

  /** The client connection preface followed by an empty SETTINGS frame. */
  public static void preface(OutputStream out) throws IOException {
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(out, SETTINGS, 0, 0, new byte[0]);
  }

  public static void frame(OutputStream out, int type, int flags, int stream, byte[] payload)
      throws IOException {
    out.write(new byte[] {
      (byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
      (byte) type, (byte) flags,
      (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream
    });
    out.write(payload);
  }

  /**
   * An HPACK header block for {@code GET http <path>} plus any extra headers, all literal and
   * never Huffman-coded, so a test can make it as large as it likes.
   */
  public static byte[] getRequest(String path, String... extraNamesAndValues) {
    return request(false, path, extraNamesAndValues);
  }

  /** As {@link #getRequest}, for {@code POST}. */
  public static byte[] postRequest(String path, String... extraNamesAndValues) {
    return request(true, path, extraNamesAndValues);
  }

  /** A header block of literal fields only (no pseudo-headers): trailers, or a malformed request. */
  public static byte[] fields(String... namesAndValues) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    literals(block, namesAndValues);
    return block.toByteArray();
  }

  private static byte[] request(boolean post, String path, String... extraNamesAndValues) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.write(post ? 0x83 : 0x82); // :method POST or GET (static table index 3 or 2)
    block.write(0x86); // :scheme http (index 6)
    block.write(0x04); // :path, literal value without indexing, name from index 4
    string(block, path);
    literals(block, extraNamesAndValues);
    return block.toByteArray();
  }

  private static void literals(ByteArrayOutputStream block, String... namesAndValues) {
    for (int i = 0; i < namesAndValues.length; i += 2) {
      block.write(0x00); // literal without indexing, new name
      string(block, namesAndValues[i]);
      string(block, namesAndValues[i + 1]);
    }
  }

  /** An HPACK string literal: a 7-bit-prefix length (no Huffman), then the bytes. */
  private static void string(ByteArrayOutputStream out, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    int length = bytes.length;
    if (length < 0x7f) {
      out.write(length);
    } else {
      out.write(0x7f);
      length -= 0x7f;
      while (length >= 0x80) {
        out.write((length & 0x7f) | 0x80);
        length >>>= 7;
      }
      out.write(length);
    }
    out.writeBytes(bytes);
  }

  /** The next frame, or null once the peer has closed the connection. */
  public static Frame read(DataInputStream in) throws IOException {
    try {
      int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      return new Frame(type, flags, stream, in.readNBytes(length));
    } catch (EOFException | SocketException closed) {
      return null;
    }
  }

  /** Reads until a GOAWAY (its error code) or the end of the connection (-1). */
  public static long readUntilGoAway(DataInputStream in) throws IOException {
    for (Frame frame = read(in); frame != null; frame = read(in)) {
      if (frame.type() == GOAWAY) {
        return frame.errorCode();
      }
    }
    return -1;
  }

  /** Reads until a frame of {@code type} on {@code stream}; null if the connection ends first. */
  public static Frame readUntil(DataInputStream in, int type, int stream) throws IOException {
    for (Frame frame = read(in); frame != null; frame = read(in)) {
      if (frame.type() == type && frame.stream() == stream) {
        return frame;
      }
    }
    return null;
  }

  /**
   * Reads until the first HEADERS or RST_STREAM on {@code stream}: the response status ("431"),
   * or "RST_STREAM <code>", or "closed". Every response header block on the way is decoded, as
   * they share one HPACK context.
   */
  public static String answer(DataInputStream in, int stream) throws IOException {
    DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(true);
    for (Frame frame = read(in); frame != null; frame = read(in)) {
      if (frame.type() == HEADERS) {
        Http2Headers headers;
        try {
          headers = hpack.decodeHeaders(frame.stream(), Unpooled.wrappedBuffer(frame.payload()));
        } catch (Http2Exception e) {
          throw new IOException("undecodable response headers", e);
        }
        if (frame.stream() == stream) {
          return String.valueOf(headers.status());
        }
      } else if (frame.type() == RST_STREAM && frame.stream() == stream) {
        return "RST_STREAM " + frame.errorCode();
      }
    }
    return "closed";
  }
}
