package io.herald.load.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
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
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP publisher against scripted servers: every event is answered, each topic's events
 * reach the server in order and once, answers are matched to requests in order with several in
 * flight (pipelining), a connection closed with requests in flight refuses them, and requests
 * in flight behind a {@code Connection: close} answer go again on a new connection.
 */
class HttpPostTransportTest {
  private static final Pattern SEQUENCE = Pattern.compile("\"s\":(\\d+)");

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  /** What the server processed, "uri body", in the order it processed it (server loop only). */
  private final List<String> received = Collections.synchronizedList(new ArrayList<>());

  private final List<HttpPostTransport> transports = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (HttpPostTransport transport : transports) {
      transport.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
  }

  /** A server on 127.0.0.1 whose connections each get a handler from {@code perConnection}. */
  private String serve(Supplier<ChannelHandler> perConnection) {
    Channel server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), perConnection.get());
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
    return "http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort() + "/pub/{topic}";
  }

  private static FullHttpResponse answer(HttpResponseStatus status, boolean close) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    if (close) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return response;
  }

  /**
   * Answers at once; every third request of a connection gets {@code Connection: close} and
   * the close, as nginx after {@code keepalive_requests}, and like nginx processes nothing it
   * read after it (RFC 9112 §9.6). Refuses topic user.2 with 503.
   */
  private final class ClosingEveryThird extends SimpleChannelInboundHandler<FullHttpRequest> {
    private int requests;
    private boolean closing;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (closing) {
        return;
      }
      received.add(request.uri() + " " + request.content().toString(StandardCharsets.UTF_8));
      boolean refuse = request.uri().endsWith("/user.2");
      closing = ++requests % 3 == 0;
      var written =
          ctx.writeAndFlush(
              answer(refuse ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK, closing));
      if (closing) {
        written.addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  @ParameterizedTest(name = "pipeline {0}")
  @ValueSource(ints = {1, 4})
  void everyEventIsAnsweredAndEachTopicStaysInOrderAcrossReconnects(int pipeline) throws Exception {
    String url = serve(ClosingEveryThird::new);
    Topics topics = new Topics(Topics.Mode.PER_USER, 4, 0, "");
    Publisher publisher = new Publisher(topics, 400, 40);
    publisher.run(new HttpPostTransport(url, publisher, 2, pipeline), 500_000_000L);

    long sent = publisher.sent();
    assertEquals(sent, publisher.acknowledged() + publisher.refused(), "every event answered");
    assertEquals(sent, received.size(), "each event processed once");
    long refusedTopic = received.stream().filter(r -> r.startsWith("/pub/user.2 ")).count();
    assertEquals(refusedTopic, publisher.refused(), "the refused topic's events, and no others");
    for (int topic = 0; topic < 4; topic++) {
      assertEquals(
          publisher.publishedTo(topic), inOrder("/pub/user." + topic + " "), "topic " + topic + " in order, once");
    }
  }

  /**
   * Holds its answers until {@code batch} requests wait on the connection, then answers them all
   * in order (each body's sequence echoed in the answer's status line order); the {@code
   * dropAt}-th batch of each connection (1-based; 0: never) is not answered: the connection is
   * closed instead, as a server that dies would.
   */
  private final class Batching extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final int batch;
    private final int dropAt;
    private final List<Integer> outstandingSeen;
    private int waiting;
    private int batches;

    Batching(int batch, int dropAt, List<Integer> outstandingSeen) {
      this.batch = batch;
      this.dropAt = dropAt;
      this.outstandingSeen = outstandingSeen;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      received.add(request.uri() + " " + request.content().toString(StandardCharsets.UTF_8));
      if (++waiting < batch) {
        return;
      }
      outstandingSeen.add(waiting);
      if (++batches == dropAt) {
        ctx.close();
        return;
      }
      for (; waiting > 0; waiting--) {
        ctx.write(answer(HttpResponseStatus.OK, false));
      }
      ctx.flush();
    }
  }

  @Test
  void pipelinesUpToItsDepthAndMatchesAnswersInOrder() {
    List<Integer> outstanding = Collections.synchronizedList(new ArrayList<>());
    String url = serve(() -> new Batching(4, 0, outstanding));
    Publisher publisher = new Publisher(new Topics(Topics.Mode.PER_USER, 1, 0, ""), 1, 40);
    HttpPostTransport transport = new HttpPostTransport(url, publisher, 1, 4);
    transports.add(transport);
    sendAll(transport, 0, 12);

    await(() -> publisher.acknowledged() == 12);
    assertEquals(List.of(4, 4, 4), outstanding, "four requests in flight before any answer, never more");
    assertEquals(12, inOrder("/pub/user.0 "));
    assertEquals(0, publisher.refused());
  }

  @Test
  void aConnectionClosedWithRequestsInFlightRefusesEveryOneOfThem() {
    List<Integer> outstanding = Collections.synchronizedList(new ArrayList<>());
    // Each connection answers its first four, then closes with the next four unanswered.
    String url = serve(() -> new Batching(4, 2, outstanding));
    Publisher publisher = new Publisher(new Topics(Topics.Mode.PER_USER, 1, 0, ""), 1, 40);
    HttpPostTransport transport = new HttpPostTransport(url, publisher, 1, 4);
    transports.add(transport);
    sendAll(transport, 0, 12);

    await(() -> publisher.acknowledged() + publisher.refused() == 12);
    assertEquals(8, publisher.acknowledged(), "1-4 on the first connection, 9-12 on the second");
    assertEquals(4, publisher.refused(), "5-8 were in flight when the first connection closed");
    for (long s = 1; s <= 12; s++) {
      assertEquals(s >= 5 && s <= 8, publisher.wasRefused(0, s), "event " + s);
    }
    assertEquals(12, received.size(), "each sent once: a refused event is not sent again");
  }

  /**
   * Answers only the first request of each connection, with {@code Connection: close}, once
   * {@code depth} requests (or all that are left of {@code total}) are in flight, and processes
   * none of the others it read (RFC 9112 §9.6).
   */
  private final class ClosingAfterFirst extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final int depth;
    private final int total;
    private final List<Integer> discarded;
    private FullHttpRequest first;
    private int read;

    ClosingAfterFirst(int depth, int total, List<Integer> discarded) {
      this.depth = depth;
      this.total = total;
      this.discarded = discarded;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (read++ == 0) {
        received.add(request.uri() + " " + request.content().toString(StandardCharsets.UTF_8));
      }
      if (read == Math.min(depth, total - received.size() + 1)) {
        discarded.add(read - 1);
        ctx.writeAndFlush(answer(HttpResponseStatus.OK, true)).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  @Test
  void requestsInFlightBehindAConnectionCloseAnswerGoAgainInOrderOnANewConnection() {
    List<Integer> discarded = Collections.synchronizedList(new ArrayList<>());
    String url = serve(() -> new ClosingAfterFirst(4, 10, discarded));
    Publisher publisher = new Publisher(new Topics(Topics.Mode.PER_USER, 1, 0, ""), 1, 40);
    HttpPostTransport transport = new HttpPostTransport(url, publisher, 1, 4);
    transports.add(transport);
    sendAll(transport, 0, 10);

    await(() -> publisher.acknowledged() + publisher.refused() == 10);
    assertEquals(10, publisher.acknowledged(), "none refused: the server processed none it dropped");
    assertEquals(10, inOrder("/pub/user.0 "), "each processed once, in order");
    assertEquals(List.of(3, 3, 3, 3, 3, 3, 3, 2, 1, 0), discarded, "requests behind each close");
    assertEquals(24, transport.resent(), "what was behind each close went again");
    assertEquals(10, transport.connectionsOpened());
  }

  /** Sends events 1..count of topic {@code topic} ("user.N"), as the publisher would. */
  private static void sendAll(HttpPostTransport transport, int topic, int count) {
    try {
      for (int s = 1; s <= count; s++) {
        transport.send("{\"topic\":\"user." + topic + "\",\"data\":{\"s\":" + s + ",\"t\":0,\"p\":\"\"}}", topic, s);
      }
      transport.flush(); // as the publisher does before it waits
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The number of {@code prefix}'s requests the server processed, failing unless they are 1, 2, 3… */
  private long inOrder(String prefix) {
    long expected = 1;
    synchronized (received) {
      for (String request : received) {
        if (request.startsWith(prefix)) {
          Matcher m = SEQUENCE.matcher(request);
          assertTrue(m.find(), request);
          assertEquals(expected++, Long.parseLong(m.group(1)), prefix + "in order, once: " + request);
        }
      }
    }
    return expected - 1;
  }

  /** Waits (at most 10 s) for {@code condition}, polling it: the transport's answers come on its own thread. */
  private static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting");
      LockSupport.parkNanos(1_000_000);
    }
  }
}
