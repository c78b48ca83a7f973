package io.herald.load.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringBufferRingConfig;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringFixedBufferRingAllocator;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Locale;

/**
 * The Netty transport of the streams' connections ({@code --transport}): the event loops'
 * {@link IoHandlerFactory}, the socket channel class, and the options that belong to it.
 *
 * <p>The receive path is where the tool spends its CPU: at 10,000 streams each event is one read
 * per stream. With epoll that is a readiness wake-up and a {@code read} system call per event per
 * stream; with io_uring the reads complete in batches without a system call each, and with a
 * <em>provided buffer ring</em> one multishot receive per socket stays armed for the whole run,
 * every arrival landing in a buffer of a ring shared by all the loop's sockets (a few MiB in all,
 * instead of a buffer per read).
 */
public enum IoTransport {
  IO_URING,
  EPOLL,
  NIO;

  /**
   * The io_uring buffer group of the loops' provided buffer ring. Each loop registers its own
   * ring under this id; a socket names the group and the kernel picks a free buffer of it for
   * every arrival.
   */
  static final short BUFFER_GROUP = 1;

  /**
   * Buffers per ring (a power of two): every read holds one until the handler releases it, which
   * it does before the next read of the loop is handled, so a few thousand cover any burst.
   */
  static final short RING_BUFFERS = 4096;

  /** Bytes per ring buffer: a read larger than this simply continues in the next buffer. */
  static final int RING_BUFFER_BYTES = 4096;

  /**
   * Completion queue entries per loop: a broadcast event completes a receive on every socket of
   * the loop (5,000 at 10,000 streams on two loops) before the loop gets to them; an overflowing
   * queue costs a system call to recover each time.
   */
  static final int COMPLETION_QUEUE = 32768;

  /**
   * Linux {@code IP_BIND_ADDRESS_NO_PORT} (level {@code IPPROTO_IP}): binding to a source address
   * leaves the port to connect(), which needs only the 4-tuple to be unique, instead of searching
   * the whole port range at bind time for a port free for every destination — most of the tool's
   * CPU when opening tens of thousands of connections.
   */
  private static final IntegerUnixChannelOption IP_BIND_ADDRESS_NO_PORT =
      new IntegerUnixChannelOption("IP_BIND_ADDRESS_NO_PORT", 0, 24);

  /**
   * The transport named by {@code --transport}: {@code auto} picks epoll, then io_uring, then
   * NIO; a named native transport that is unavailable is an error that says why.
   *
   * <p>Why epoll first: io_uring cost the tool less CPU per delivery in every run (bench/RESULTS.md,
   * Session 3), but at about a million deliveries per second on two shared cores the tool fell
   * behind with it (seconds of latency, lower throughput) where epoll kept up: a load generator's
   * first duty is not to become the bottleneck it measures.
   */
  public static IoTransport choose(String name) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "auto":
        return Epoll.isAvailable() ? EPOLL : IoUring.isAvailable() ? IO_URING : NIO;
      case "io_uring":
      case "io-uring":
      case "iouring":
        if (!IoUring.isAvailable()) {
          throw new IllegalArgumentException("io_uring is not available: " + IoUring.unavailabilityCause());
        }
        return IO_URING;
      case "epoll":
        if (!Epoll.isAvailable()) {
          throw new IllegalArgumentException("epoll is not available: " + Epoll.unavailabilityCause());
        }
        return EPOLL;
      case "nio":
        return NIO;
      default:
        throw new IllegalArgumentException("must be auto, io_uring, epoll or nio, not " + name);
    }
  }

  /** The name {@code --transport} and the report use. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the buffer ring is in use: io_uring on a kernel that registers buffer rings. */
  boolean bufferRing() {
    return this == IO_URING && IoUring.isRegisterBufferRingSupported();
  }

  /**
   * Builds the event loops' I/O handlers; after a wake-up that found little to read, a loop
   * pauses {@code receivePauseNanos} before it looks again (see {@link PacedIoHandler}).
   */
  public IoHandlerFactory ioHandlerFactory(long receivePauseNanos) {
    return PacedIoHandler.factory(ioHandlerFactory(), receivePauseNanos);
  }

  /** I/O events (reads, mostly) the loops handled per wake-up, so far in this process. */
  public static double eventsPerWakeup() {
    return PacedIoHandler.eventsPerWakeup();
  }

  private IoHandlerFactory ioHandlerFactory() {
    return switch (this) {
      case IO_URING -> {
        IoUringIoHandlerConfig config = new IoUringIoHandlerConfig().setCqSize(COMPLETION_QUEUE);
        if (bufferRing()) {
          config.setBufferRingConfig(
              IoUringBufferRingConfig.builder()
                  .bufferGroupId(BUFFER_GROUP)
                  .bufferRingSize(RING_BUFFERS)
                  .batchSize(RING_BUFFERS / 16)
                  .allocator(new IoUringFixedBufferRingAllocator(ByteBufAllocator.DEFAULT, RING_BUFFER_BYTES))
                  .build());
        }
        yield IoUringIoHandler.newFactory(config);
      }
      case EPOLL -> EpollIoHandler.newFactory();
      case NIO -> NioIoHandler.newFactory();
    };
  }

  /** A bootstrap of this transport's socket channel, its options set; the caller adds the group. */
  public Bootstrap bootstrap() {
    Bootstrap base =
        new Bootstrap()
            .channel(socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    switch (this) {
      case EPOLL -> base.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
      case IO_URING -> {
        base.option(IP_BIND_ADDRESS_NO_PORT, 1);
        if (bufferRing()) {
          base.option(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, BUFFER_GROUP);
        }
      }
      case NIO -> {}
    }
    return base;
  }

  /**
   * A bootstrap for HTTP/1.1 streams, whose only handler is a {@link StreamHandler}: as {@link
   * #bootstrap()}, and each read goes into the loop's one reused buffer ({@link LoopReadBuffer})
   * where the transport reads into buffers it is given (not io_uring's buffer ring, which has its own).
   */
  public Bootstrap http1Bootstrap() {
    Bootstrap base = bootstrap();
    if (!bufferRing()) {
      base.option(ChannelOption.RCVBUF_ALLOCATOR, new LoopReadBuffer());
    }
    return base;
  }

  private Class<? extends SocketChannel> socketChannel() {
    return switch (this) {
      case IO_URING -> IoUringSocketChannel.class;
      case EPOLL -> EpollSocketChannel.class;
      case NIO -> NioSocketChannel.class;
    };
  }
}
