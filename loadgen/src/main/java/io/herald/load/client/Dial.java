package io.herald.load.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import java.net.SocketAddress;

/**
 * How the connections of some streams are made: a bootstrap whose group is the streams' own
 * event loop (so a reconnect lands on the same loop as the connection it replaces), the server,
 * and the local address to connect from.
 */
public record Dial(Bootstrap bootstrap, SocketAddress remote, SocketAddress local) {
  /** Connects a new channel whose pipeline starts with {@code handler}. */
  ChannelFuture connect(ChannelHandler handler) {
    return bootstrap.clone().handler(handler).connect(remote, local);
  }
}
