package io.herald.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.Socket;
import java.io.IOException;

/**
 * Hands bytes straight to a connection's socket when nothing is queued in Netty's outbound
 * buffer, instead of writing them through the pipeline.
 *
 * <p>Why: a broadcast writes one shared event to thousands of connections, and through the
 * pipeline each of those writes costs a new buffer reference (an allocation and an atomic
 * increment on a reference count that every event loop touches), an entry in the outbound
 * buffer, its bookkeeping and a walk of the pipeline for the write and again for the flush —
 * about a quarter of an event loop's time at 10,000 streams, plus the collector's work for the
 * references stored into long-lived objects (bench/RESULTS.md, session 5). When the connection
 * has nothing queued, all of that ends in the same single {@code send(2)}; this makes that call
 * itself. Whatever the kernel does not take goes through the pipeline as before, so the bounds,
 * the writability and the order of the bytes are Netty's, unchanged.
 *
 * <p>Only where the socket is reachable (the epoll transport); {@link #forChannel} returns null
 * elsewhere and the caller writes through the pipeline. Called on the channel's event loop.
 */
public abstract class DirectSend {
  /**
   * The system call: sends a buffer's readable bytes, leaving its indexes alone, and returns how
   * many the kernel took (0 when it takes none).
   */
  public interface Sender {
    int send(ByteBuf buf) throws IOException;
  }

  /** What {@link #send} returns when the socket failed: the caller writes through the pipeline. */
  public static final int FAILED = -1;

  /**
   * The connection's outbound buffer, kept from the start: Netty makes one per channel and drops
   * its own reference when the channel closes, which {@link #isOpen} tells first. One object fewer
   * to reach per write — at 10,000 connections each hop is a likely cache miss.
   */
  private final ChannelOutboundBuffer out;

  private DirectSend(ChannelOutboundBuffer out) {
    this.out = out;
  }

  /** A direct sender for {@code channel}, or null when its transport gives no socket to send on. */
  public static DirectSend forChannel(Channel channel) {
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    // epoll only: its sockets are non-blocking, and a send here must never wait.
    if (out != null && channel instanceof EpollSocketChannel epoll && epoll.fd() instanceof Socket socket) {
      return new OnSocket(out, socket);
    }
    return null;
  }

  /** A direct sender that calls {@code sender} instead of the kernel (tests), open while the channel is. */
  public static DirectSend through(Channel channel, Sender sender) {
    return new DirectSend(channel.unsafe().outboundBuffer()) {
      @Override
      boolean isOpen() {
        return channel.isActive();
      }

      @Override
      int sendReadable(ByteBuf buf) throws IOException {
        return sender.send(buf);
      }
    };
  }

  /**
   * Whether bytes sent now would go out in order: the connection is open and Netty holds nothing
   * for it, flushed or not (a write still waiting in the outbound buffer must go first).
   */
  public final boolean isClear() {
    return isOpen() && out.isEmpty() && out.totalPendingWriteBytes() == 0;
  }

  /**
   * Sends {@code buf}'s readable bytes, leaving its indexes and reference count alone.
   *
   * @return how many bytes the kernel took (0 when its buffer is full, or when {@code buf} has no
   *     memory address to send from), or {@link #FAILED} when the socket failed: nothing was sent
   *     and a write through the pipeline meets the same failure and closes the channel the usual way
   */
  public final int send(ByteBuf buf) {
    try {
      return sendReadable(buf);
    } catch (IOException | IllegalStateException e) { // IllegalState: not yet connected
      return FAILED;
    }
  }

  abstract boolean isOpen();

  abstract int sendReadable(ByteBuf buf) throws IOException;

  /** The epoll transport's socket. */
  private static final class OnSocket extends DirectSend {
    private final Socket socket;

    OnSocket(ChannelOutboundBuffer out, Socket socket) {
      super(out);
      this.socket = socket;
    }

    /**
     * The descriptor's own state, which closing the channel (on this loop) sets before it closes
     * the descriptor: a number the kernel has handed to another connection is never written to.
     */
    @Override
    boolean isOpen() {
      return socket.isOpen();
    }

    @Override
    int sendReadable(ByteBuf buf) throws IOException {
      return buf.hasMemoryAddress()
          ? socket.sendAddress(buf.memoryAddress(), buf.readerIndex(), buf.writerIndex())
          : 0;
    }
  }
}
