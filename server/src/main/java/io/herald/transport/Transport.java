package io.herald.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
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
import jdk.net.ExtendedSocketOptions;

/**
 * The I/O transport: Linux's native epoll when Netty can load it (fewer copies, fewer objects
 * per event, edge-triggered), Java NIO everywhere else. Chosen once at start and logged.
 */
public enum Transport {
  EPOLL,
  NIO;

  public static Transport best() {
    return Epoll.isAvailable() ? EPOLL : NIO;
  }

  public IoHandlerFactory ioHandlerFactory() {
    return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  public MultiThreadIoEventLoopGroup newGroup(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory());
  }

  public Class<? extends ServerChannel> serverChannel() {
    return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
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
    if (this == EPOLL) {
      bootstrap.childOption(EpollChannelOption.TCP_KEEPIDLE, idleSeconds);
      bootstrap.childOption(EpollChannelOption.TCP_KEEPINTVL, intervalSeconds);
      bootstrap.childOption(EpollChannelOption.TCP_KEEPCNT, count);
    } else {
      bootstrap.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), idleSeconds);
      bootstrap.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), intervalSeconds);
      bootstrap.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), count);
    }
  }

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
