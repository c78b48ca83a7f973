package io.herald.load.publish;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Events as HTTP/1.1 POSTs, one per event, to a URL template ({@code {topic}} is replaced):
 * Herald's {@code POST /publish}, or any other server's publish endpoint. A 2xx answer counts as
 * accepted; no answer (the connection died first) as refused.
 *
 * <p>Each POST waits for its answer before the next leaves its lane: concurrent requests would
 * reach the server in any order, and the subscribers would see the publisher's reordering as the
 * server's. One lane caps the rate at one event per round trip, so with several topics
 * (per-user) there may be several lanes, each a keep-alive connection of its own with a fixed
 * share of the topics: a topic's events still go one after another. A lane whose connection the
 * server closes (nginx does after {@code keepalive_requests}) opens a new one.
 *
 * <p>Netty, not the JDK's client: at thousands of events per second the JDK client's cost per
 * request (about 180 µs of CPU here) made the publisher, not the servers, the bottleneck.
 */
public final class HttpPostTransport implements Publisher.Transport {
  /** Events a lane may have waiting before the schedule waits for it. */
  private static final int LANE_QUEUE = 100_000;

  private final Publisher publisher;
  private final String urlTemplate;
  private final String host;
  private final int port;
  private final String hostHeader;
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Bootstrap bootstrap;
  private final List<Lane> lanes = new ArrayList<>();

  /** One lane: every POST waits for the one before it. */
  public HttpPostTransport(String urlTemplate, Publisher publisher) {
    this(urlTemplate, publisher, 1);
  }

  /** {@code lanes} connections, topic {@code i} always on lane {@code i % lanes}. */
  public HttpPostTransport(String urlTemplate, Publisher publisher, int lanes) {
    if (lanes < 1) {
      throw new IllegalArgumentException("lanes: " + lanes + " (expected: >= 1)");
    }
    URI uri = URI.create(urlTemplate.replace("{topic}", "t"));
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("not an http:// URL: " + urlTemplate);
    }
    this.publisher = publisher;
    this.urlTemplate = urlTemplate;
    this.host = uri.getHost();
    this.port = uri.getPort() < 0 ? 80 : uri.getPort();
    this.hostHeader = uri.getPort() < 0 ? host : host + ":" + port;
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000);
    for (int i = 0; i < lanes; i++) {
      this.lanes.add(new Lane());
    }
  }

  private record Post(String event, int topic, long sequence) {}

  @Override
  public boolean answersInOrder() {
    return false;
  }

  @Override
  public void send(String event) throws IOException {
    throw new UnsupportedOperationException("send(event, topic, sequence)");
  }

  @Override
  public void send(String event, int topic, long sequence) throws IOException {
    lanes.get(topic % lanes.size()).send(new Post(event, topic, sequence));
  }

  @Override
  public void flush() {}

  @Override
  public void close() throws IOException {
    try {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while closing the publishing connections");
    }
  }

  /** One connection's worth of posts, in order; its state lives on the group's event loop. */
  private final class Lane {
    private final Semaphore room = new Semaphore(LANE_QUEUE);
    private final ArrayDeque<Post> waiting = new ArrayDeque<>();
    private Post inFlight;
    private Channel channel;
    private boolean connecting;

    void send(Post post) throws InterruptedIOException {
      try {
        room.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while publishing");
      }
      group.execute(
          () -> {
            waiting.add(post);
            next();
          });
    }

    private void next() {
      if (inFlight != null || connecting || waiting.isEmpty()) {
        return;
      }
      if (channel == null || !channel.isActive()) {
        connect();
        return;
      }
      inFlight = waiting.poll();
      channel.writeAndFlush(request(inFlight));
    }

    private FullHttpRequest request(Post post) {
      String topic = post.event().substring("{\"topic\":\"".length(), post.event().indexOf('"', "{\"topic\":\"".length()));
      URI uri = URI.create(urlTemplate.replace("{topic}", topic));
      String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      ByteBuf body = Unpooled.wrappedBuffer(post.event().getBytes(StandardCharsets.UTF_8));
      FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target, body);
      request.headers()
          .set(HttpHeaderNames.HOST, hostHeader)
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      return request;
    }

    private void connect() {
      connecting = true;
      bootstrap
          .clone()
          .handler(
              new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                  ch.pipeline()
                      .addLast(new HttpClientCodec())
                      .addLast(new HttpObjectAggregator(1 << 20))
                      .addLast(new Answers());
                }
              })
          .connect(host, port)
          .addListener(
              f -> {
                connecting = false;
                if (f.isSuccess()) {
                  channel = ((ChannelFuture) f).channel();
                  next();
                } else {
                  // Nobody to publish to: every waiting event is refused, never silently dropped.
                  Post post;
                  while ((post = waiting.poll()) != null) {
                    answer(post, false);
                  }
                }
              });
    }

    private void answer(Post post, boolean accepted) {
      room.release();
      publisher.answered(post.topic(), post.sequence(), accepted);
    }

    /** The answer to the post in flight; a connection that dies with one in flight refuses it. */
    private final class Answers extends SimpleChannelInboundHandler<FullHttpResponse> {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
        Post post = inFlight;
        inFlight = null;
        if (post != null) {
          answer(post, response.status().codeClass() == HttpStatusClass.SUCCESS);
        }
        if (!HttpUtil.isKeepAlive(response) && ctx.channel() == channel) {
          // The server closes this one after its answer: the next post goes on a new connection,
          // not into a socket about to be closed (it would be lost, and counted as refused).
          channel = null;
          ctx.close();
        }
        next();
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        Post post = inFlight;
        inFlight = null;
        if (post != null) {
          answer(post, false);
        }
        if (ctx.channel() == channel) {
          channel = null;
        }
        next(); // a new connection for what waits
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
      }
    }
  }
}
