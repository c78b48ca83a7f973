package io.herald.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.util.Locale;
import jdk.net.ExtendedSocketOptions;

/**
 * The I/O transport, chosen once at start ({@code --transport}) and logged: Linux's io_uring
 * (writes to many sockets submitted to the kernel in batches instead of one system call each),
 * Linux's epoll (edge-triggered, fewer copies and objects per event than NIO), or Java NIO
 * everywhere else. {@code auto} picks the best one Netty can load here; see {@link #auto()}.
 */
public enum Transport {
  IO_URING,
  EPOLL,
  NIO;

  /** The names {@code --transport} accepts. */
  public static final String NAMES = "auto, io_uring, epoll, nio";

  /**
   * What {@code auto} picks: epoll where it loads, else NIO. io_uring is an explicit choice: it
   * measured 5-35% less CPU per delivery than epoll on broadcasts (one event written to
   * thousands of sockets) but between 11% more and 18% less on token streaming (many small
   * events through the ingest to a few hundred streams), measured on a shared machine only, and
   * its write completions arrive a loop turn later, which Herald's per-stream bounds must allow
   * for (bench/RESULTS.md, session 3).
   */
  public static Transport auto() {
    return Epoll.isAvailable() ? EPOLL : NIO;
  }

  /** The old name of {@link #auto()}. */
  public static Transport best() {
    return auto();
  }

  /**
   * The transport named by {@code --transport} (see {@link #NAMES}), or null for a name that is
   * none of them. Availability is checked at start ({@link #checkAvailable()}).
   */
  public static Transport named(String name) {
    if (name == null) {
      return null;
    }
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "auto" -> auto();
      case "io_uring", "io-uring", "iouring" -> IO_URING;
      case "epoll" -> EPOLL;
      case "nio" -> NIO;
      default -> null;
    };
  }

  /** Whether Netty can load this transport on this machine. */
  public boolean isAvailable() {
    return switch (this) {
      case IO_URING -> IoUring.isAvailable();
      case EPOLL -> Epoll.isAvailable();
      case NIO -> true;
    };
  }

  /**
   * Throws, with the reason Netty gives, when this transport cannot run here (not Linux, a
   * kernel without io_uring or with it disabled by {@code kernel.io_uring_disabled}, ...).
   */
  public Transport checkAvailable() {
    if (!isAvailable()) {
      Throwable cause =
          this == IO_URING ? IoUring.unavailabilityCause() : Epoll.unavailabilityCause();
      throw new IllegalStateException(
          "--transport " + label() + " is not available here: " + cause, cause);
    }
    return this;
  }

  /**
   * The most ready sockets one epoll pass handles before the loop's tasks (live delivery, replay,
   * admission) get their turn. Netty's default grows the pass with the load, so ten thousand
   * clients that close at once held every live stream on the loop for one long pass. Measured
   * (bench/RESULTS.md, session 4; `scripts/abuse storm 10000`, quiet machine, two pairs): the
   * legitimate p99 in the storm window 302/303 → 167/195 ms, the worst second 424/451 → 254/258
   * ms; 10,000 × 100 events/s unchanged (986k/s, 1.05–1.07 CPU-s/M).
   */
  static final int EPOLL_EVENTS_PER_PASS = 256;

  public IoHandlerFactory ioHandlerFactory() {
    return switch (this) {
      case IO_URING -> IoUringIoHandler.newFactory();
      case EPOLL -> EpollIoHandler.newFactory(EPOLL_EVENTS_PER_PASS, DefaultSelectStrategyFactory.INSTANCE);
      case NIO -> NioIoHandler.newFactory();
    };
  }

  public MultiThreadIoEventLoopGroup newGroup(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory());
  }

  /** The client socket channel of this transport (the start-up warm-up's connections). */
  public Class<? extends io.netty.channel.socket.SocketChannel> socketChannel() {
    return switch (this) {
      case IO_URING -> io.netty.channel.uring.IoUringSocketChannel.class;
      case EPOLL -> io.netty.channel.epoll.EpollSocketChannel.class;
      case NIO -> io.netty.channel.socket.nio.NioSocketChannel.class;
    };
  }

  public Class<? extends ServerChannel> serverChannel() {
    return switch (this) {
      case IO_URING -> IoUringServerSocketChannel.class;
      case EPOLL -> EpollServerSocketChannel.class;
      case NIO -> NioServerSocketChannel.class;
    };
  }

  /**
   * TCP keepalive for long-lived, mostly idle connections: a client that vanished without a FIN
   * (a laptop closed, a NAT entry dropped) while its stream only carries heartbeats is found by
   * the kernel after {@code idleSeconds} plus {@code count} unanswered probes {@code
   * intervalSeconds} apart, and its connection closed. Heartbeats alone never fill the socket,
   * so the stall timeout cannot see such a connection.
   */
  public void keepAlive(ServerBootstrap bootstrap, int idleSeconds, int intervalSeconds, int count) {
    bootstrap.childOption(ChannelOption.SO_KEEPALIVE, true);
    switch (this) {
      case IO_URING -> {
        bootstrap.childOption(IoUringChannelOption.TCP_KEEPIDLE, idleSeconds);
        bootstrap.childOption(IoUringChannelOption.TCP_KEEPINTVL, intervalSeconds);
        bootstrap.childOption(IoUringChannelOption.TCP_KEEPCNT, count);
      }
      case EPOLL -> {
        bootstrap.childOption(EpollChannelOption.TCP_KEEPIDLE, idleSeconds);
        bootstrap.childOption(EpollChannelOption.TCP_KEEPINTVL, intervalSeconds);
        bootstrap.childOption(EpollChannelOption.TCP_KEEPCNT, count);
      }
      case NIO -> {
        bootstrap.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), idleSeconds);
        bootstrap.childOption(
            NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), intervalSeconds);
        bootstrap.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), count);
      }
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
