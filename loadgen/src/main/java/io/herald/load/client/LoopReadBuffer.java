package io.herald.load.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The receive buffer of the HTTP/1.1 streams: one direct buffer per event loop, reused by every
 * read of every stream on that loop, instead of a buffer taken from the pool and given back for
 * each read (the transport's default). No allocation on the receive path, and a read is never
 * split because an adaptive guess was too small for a burst.
 *
 * <p>Safe only because of how these channels are built: {@link StreamHandler}, their only
 * handler, parses what it is given inside {@code channelRead}, keeps no reference to it, and
 * releases it; a read that got nothing is released by the transport. Each hand-out is a {@code
 * retain()} that this release undoes, so the loop's own reference keeps the buffer alive for the
 * whole run. Not for the HTTP/2 streams: Netty's HTTP/2 codec accumulates and slices what it reads.
 */
final class LoopReadBuffer extends DefaultMaxMessagesRecvByteBufAllocator {
  /** Bytes per read: a burst a slow loop finds waiting on one socket is read in one call, not several. */
  static final int BYTES = 64 * 1024;

  private static final FastThreadLocal<ByteBuf> BUFFER =
      new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
          return Unpooled.directBuffer(BYTES, BYTES);
        }

        @Override
        protected void onRemoval(ByteBuf buffer) {
          buffer.release(); // the loop's thread ended: its reference goes with it
        }
      };

  @Override
  public Handle newHandle() {
    return new MaxMessageHandle() {
      @Override
      public ByteBuf allocate(ByteBufAllocator alloc) {
        return BUFFER.get().retain().clear();
      }

      @Override
      public int guess() {
        return BYTES;
      }
    };
  }
}
