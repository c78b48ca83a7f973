package io.herald.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.internal.ObjectUtil;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits an ingest connection into numbered lines ({@link IngestLine}): LF ends a line, and one
 * CR before it is dropped. First in the ingest pipeline; one per connection.
 *
 * <p>Memory stays bounded: a line longer than {@code maxLineBytes} is not accumulated — its bytes
 * are discarded as they arrive until its LF, and one refused line with its number is emitted, so
 * the publisher gets an error for it and the connection goes on. Invalid UTF-8 is refused too,
 * rather than silently replaced, since that would publish different data than was sent. Blank
 * lines are skipped without a reply, but still counted, so line numbers match the publisher's.
 */
public final class IngestLineDecoder extends ByteToMessageDecoder {
  private final int maxLineBytes;
  private long lineNumber;
  private boolean discarding;
  /** Strict: malformed input is refused, never replaced. Reset before each use. */
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private int scanned; // bytes of the current line already searched for LF

  public IngestLineDecoder(int maxLineBytes) {
    this.maxLineBytes = ObjectUtil.checkPositive(maxLineBytes, "maxLineBytes");
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (in.isReadable()) {
      int from = in.readerIndex() + scanned;
      int lf = in.indexOf(from, in.writerIndex(), (byte) '\n');
      if (discarding) {
        if (lf < 0) {
          in.skipBytes(in.readableBytes());
          return;
        }
        in.readerIndex(lf + 1);
        discarding = false;
        scanned = 0;
        continue;
      }
      if (lf < 0) {
        if (in.readableBytes() > maxLineBytes) {
          lineNumber++;
          out.add(IngestLine.refused(lineNumber, tooLong(), head(in, in.readerIndex(), in.writerIndex())));
          in.skipBytes(in.readableBytes());
          discarding = true;
          scanned = 0;
        } else {
          scanned = in.readableBytes();
        }
        return;
      }
      lineNumber++;
      scanned = 0;
      int length = lf - in.readerIndex();
      int end = length > 0 && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
      int contentLength = end - in.readerIndex();
      if (contentLength > maxLineBytes) {
        out.add(IngestLine.refused(lineNumber, tooLong(), head(in, in.readerIndex(), end)));
      } else if (!isBlank(in, in.readerIndex(), end)) {
        out.add(decodeLine(in, in.readerIndex(), contentLength));
      }
      in.readerIndex(lf + 1);
    }
  }

  /** The first bytes of a refused line, for the HTTP guard only: never published. */
  private static String head(ByteBuf in, int from, int end) {
    int n = Math.min(64, end - from);
    return in.toString(from, n, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private String tooLong() {
    return "line is longer than " + maxLineBytes + " bytes";
  }

  private IngestLine decodeLine(ByteBuf in, int index, int length) {
    if (isAscii(in, index, length)) {
      // Most lines: ASCII is valid UTF-8 as it is, and becomes a Latin-1 string with one copy,
      // without a decoder and its buffers.
      return IngestLine.of(lineNumber, in.toString(index, length, StandardCharsets.US_ASCII));
    }
    ByteBuffer bytes = in.nioBufferCount() == 1 ? in.nioBuffer(index, length) : copy(in, index, length);
    try {
      return IngestLine.of(lineNumber, utf8.reset().decode(bytes).toString());
    } catch (CharacterCodingException e) {
      return IngestLine.refused(lineNumber, "line is not valid UTF-8");
    }
  }

  private static boolean isAscii(ByteBuf in, int from, int length) {
    int end = from + length;
    int i = from;
    for (; i + 8 <= end; i += 8) {
      if ((in.getLong(i) & 0x8080808080808080L) != 0) {
        return false;
      }
    }
    for (; i < end; i++) {
      if (in.getByte(i) < 0) {
        return false;
      }
    }
    return true;
  }

  private static ByteBuffer copy(ByteBuf in, int index, int length) {
    byte[] bytes = new byte[length];
    in.getBytes(index, bytes);
    return ByteBuffer.wrap(bytes);
  }

  private static boolean isBlank(ByteBuf in, int from, int to) {
    for (int i = from; i < to; i++) {
      byte b = in.getByte(i);
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }
}
