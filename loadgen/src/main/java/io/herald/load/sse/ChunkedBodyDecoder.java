package io.herald.load.sse;

import io.netty.buffer.ByteBuf;

/**
 * Removes HTTP/1.1 chunked framing from a response body as bytes arrive, passing the content to
 * a {@link SseStreamParser}: a small state machine instead of Netty's HTTP codec, so the
 * receive path allocates nothing per event.
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

  public void feed(ByteBuf in) {
    while (in.isReadable() && state != State.DONE) {
      switch (state) {
        case SIZE -> {
          byte b = in.readByte();
          int digit = Character.digit(b, 16);
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
          if (in.readByte() == '\n') {
            endOfSize();
          }
        }
        case DATA -> {
          int n = (int) Math.min(remaining, in.readableBytes());
          parser.feed(in, in.readerIndex(), n);
          in.skipBytes(n);
          remaining -= n;
          if (remaining == 0) {
            state = State.DATA_CR;
          }
        }
        case DATA_CR -> {
          byte b = in.readByte();
          state = b == '\r' ? State.DATA_LF : State.SIZE;
        }
        case DATA_LF -> {
          in.readByte();
          state = State.SIZE;
        }
        default -> throw new IllegalStateException();
      }
    }
  }

  private void endOfSize() {
    if (!sizeHasDigits) {
      throw new IllegalStateException("empty chunk size");
    }
    sizeHasDigits = false;
    state = remaining == 0 ? State.DONE : State.DATA;
  }
}
