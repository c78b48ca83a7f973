package io.herald.load.sse;

import io.netty.buffer.ByteBuf;

/**
 * Removes HTTP/1.1 chunked framing from a response body as bytes arrive, passing the content to
 * a {@link SseStreamParser}: a small state machine instead of Netty's HTTP codec, so the
 * receive path allocates nothing per event. It works on the read's bytes as an array (one bulk
 * copy out of the direct buffer per read) and hands the parser regions of that same array.
 */
public final class ChunkedBodyDecoder {
  private enum State { SIZE, SIZE_LINE_END, DATA, DATA_CR, DATA_LF, DONE }

  private final SseStreamParser parser;
  private State state = State.SIZE;
  private long remaining;
  private boolean sizeHasDigits;

  public ChunkedBodyDecoder(SseStreamParser parser) {
    this.parser = parser;
  }

  /** Whether the final (zero-size) chunk was read: the server ended the stream. */
  public boolean isDone() {
    return state == State.DONE;
  }

  /** Decodes the readable bytes of {@code in}; after the final chunk the rest stays unread. */
  public void feed(ByteBuf in) {
    int length = in.readableBytes();
    if (length == 0) {
      return;
    }
    int used;
    if (in.hasArray()) {
      int from = in.arrayOffset() + in.readerIndex();
      used = feed(in.array(), from, from + length) - from;
    } else {
      used = feed(ReadBytes.copy(in, in.readerIndex(), length), 0, length);
    }
    in.skipBytes(used);
  }

  /** Decodes {@code in[from, end)}; returns where it stopped: {@code end}, or just after the final chunk. */
  public int feed(byte[] in, int from, int end) {
    int i = from;
    while (i < end && state != State.DONE) {
      switch (state) {
        case SIZE -> {
          byte b = in[i++];
          int digit = hexDigit(b);
          if (digit >= 0) {
            remaining = remaining * 16 + digit;
            sizeHasDigits = true;
          } else if (b == '\r' || b == ';') {
            state = State.SIZE_LINE_END;
          } else if (b == '\n') {
            endOfSize();
          } else {
            throw new IllegalStateException("bad chunk size byte " + b);
          }
        }
        case SIZE_LINE_END -> {
          if (in[i++] == '\n') {
            endOfSize();
          }
        }
        case DATA -> {
          int n = (int) Math.min(remaining, end - i);
          parser.feed(in, i, i + n);
          i += n;
          remaining -= n;
          if (remaining == 0) {
            state = State.DATA_CR;
          }
        }
        case DATA_CR -> state = in[i++] == '\r' ? State.DATA_LF : State.SIZE;
        case DATA_LF -> {
          i++;
          state = State.SIZE;
        }
        default -> throw new IllegalStateException();
      }
    }
    return i;
  }

  private static int hexDigit(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }

  private void endOfSize() {
    if (!sizeHasDigits) {
      throw new IllegalStateException("empty chunk size");
    }
    sizeHasDigits = false;
    state = remaining == 0 ? State.DONE : State.DATA;
  }
}
