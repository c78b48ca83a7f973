package io.herald.load.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Against a server that closes its keep-alive connections every third request (as nginx does
 * after {@code keepalive_requests}) and refuses one topic: every event is answered, each topic's
 * events arrive in order, and a refusal counts as refused.
 */
class HttpPostTransportTest {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<String> received = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() throws InterruptedException {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
  }

  private int serve() {
    Channel server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), new ClosingEveryThird());
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
    return ((java.net.InetSocketAddress) server.localAddress()).getPort();
  }

  private final class ClosingEveryThird extends SimpleChannelInboundHandler<FullHttpRequest> {
    private int requests;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      received.add(request.uri() + " " + request.content().toString(StandardCharsets.UTF_8));
      boolean refuse = request.uri().endsWith("/user.2");
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, refuse ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK);
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
      if (++requests % 3 == 0) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.writeAndFlush(response);
      }
    }
  }

  @Test
  void everyEventIsAnsweredAndEachTopicStaysInOrderAcrossReconnects() throws Exception {
    int port = serve();
    Topics topics = new Topics(Topics.Mode.PER_USER, 4, 0, "");
    Publisher publisher = new Publisher(topics, 400, 40);
    publisher.run(new HttpPostTransport("http://127.0.0.1:" + port + "/pub/{topic}", publisher, 2), 500_000_000L);

    long sent = publisher.sent();
    assertEquals(sent, publisher.acknowledged() + publisher.refused(), "every event answered");
    assertEquals(sent, received.size());
    long refusedTopic = received.stream().filter(r -> r.startsWith("/pub/user.2 ")).count();
    assertEquals(refusedTopic, publisher.refused(), "the refused topic's events, and no others");
    for (int topic = 0; topic < 4; topic++) {
      String prefix = "/pub/user." + topic + " ";
      long expected = 1;
      for (String request : received) {
        if (request.startsWith(prefix)) {
          assertEquals(expected++, sequence(request), "topic " + topic + " in order: " + request);
        }
      }
      assertTrue(expected > 1, "topic " + topic + " got events");
    }
  }

  private static long sequence(String request) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"s\":(\\d+)").matcher(request);
    m.find();
    return Long.parseLong(m.group(1));
  }
}
