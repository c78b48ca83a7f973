package io.herald.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
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
public final class DirectSend {
  /**
   * The system call: sends a buffer's readable bytes, leaving its indexes alone, and returns how
   * many the kernel took (0 when it takes none).
   */
  public interface Sender {
    int send(ByteBuf buf) throws IOException;
  }

  /** What {@link #send} returns when the socket failed: the caller writes through the pipeline. */
  public static final int FAILED = -1;

  private final Channel channel;
  private final Sender sender;

  public DirectSend(Channel channel, Sender sender) {
    this.channel = channel;
    this.sender = sender;
  }

  /** A direct sender for {@code channel}, or null when its transport gives no socket to send on. */
  public static DirectSend forChannel(Channel channel) {
    // epoll only: its sockets are non-blocking, and a send here must never wait.
    if (channel instanceof EpollSocketChannel epoll) {
      FileDescriptor fd = epoll.fd();
      if (fd instanceof Socket socket) {
        return new DirectSend(
            channel,
            buf ->
                buf.hasMemoryAddress()
                    ? socket.sendAddress(buf.memoryAddress(), buf.readerIndex(), buf.writerIndex())
                    : 0);
      }
    }
    return null;
  }

  /**
   * Whether bytes sent now would go out in order: the channel is open and Netty holds nothing
   * for it, flushed or not (a write still waiting in the outbound buffer must go first).
   */
  public boolean isClear() {
    if (!channel.isActive()) {
      return false;
    }
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    return out != null && out.isEmpty() && out.totalPendingWriteBytes() == 0;
  }

  /**
   * Sends {@code buf}'s readable bytes, leaving its indexes and reference count alone.
   *
   * @return how many bytes the kernel took (0 when its buffer is full, or when {@code buf} has no
   *     memory address to send from), or {@link #FAILED} when the socket failed: nothing was sent
   *     and a write through the pipeline meets the same failure and closes the channel the usual way
   */
  public int send(ByteBuf buf) {
    try {
      return sender.send(buf);
    } catch (IOException | IllegalStateException e) { // IllegalState: not yet connected
      return FAILED;
    }
  }
}
