package io.herald.admin;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/** The admin port's pipeline: HTTP/1.1 with small limits (it takes no bodies), then the routes. */
public final class AdminServerInitializer extends ChannelInitializer<SocketChannel> {
  private final AdminHandler handler;

  public AdminServerInitializer(AdminHandler handler) {
    this.handler = handler;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ch.pipeline()
        .addLast("codec", new HttpServerCodec(4096, 8192, 8192))
        .addLast("aggregator", new HttpObjectAggregator(8192))
        .addLast("admin", handler);
  }
}
