package io.herald.load.publish;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Events as HTTP/1.1 POSTs, one per event, to a URL template ({@code {topic}} is replaced):
 * Herald's {@code POST /publish}, or any other server's publish endpoint. A 2xx answer counts as
 * accepted; no answer (the connection died first) as refused.
 *
 * <p>A topic's events never overtake each other: concurrent requests on different connections
 * would reach the server in any order, and the subscribers would see the publisher's reordering
 * as the server's. So there are lanes, each a keep-alive connection of its own with a fixed
 * share of the topics (topic {@code i} on lane {@code i % lanes}), and on one lane at most
 * {@code pipeline} POSTs are in flight: HTTP/1.1 pipelining, whose answers come in request order
 * (RFC 9112 §9.3.2), so the server also reads a lane's requests in the order they were sent. With
 * {@code pipeline} 1 each POST waits for the answer to the one before; a lane then carries one
 * event per round trip.
 *
 * <p>Answers are matched to requests in order. A connection the server closes without
 * announcing it (no {@code Connection: close}) with requests in flight refuses every one of them
 * (the server may or may not have processed them: never counted as acknowledged, never silently
 * dropped). An answer with {@code Connection: close} (nginx's after {@code keepalive_requests})
 * ends the lane's connection after that answer: a server that sends it processes no request
 * after it (RFC 9112 §9.6), so the lane's later requests in flight go again, first and in order,
 * on a new connection.
 *
 * <p>Netty, not the JDK's client: at thousands of events per second the JDK client's cost per
 * request (about 180 µs of CPU here) made the publisher, not the servers, the bottleneck. Requests
 * are written as bytes (the head of each topic's request built once), and events cross from the
 * publishing thread to the connections' event loop in batches: one task per batch, not per event.
 * The posts that answers made room for go when the read that carried the answers is complete, all
 * in one buffer and one write, not one write per answer.
 */
public final class HttpPostTransport implements Publisher.Transport {
  /** Events a lane may have waiting before the schedule waits for it. */
  private static final int LANE_QUEUE = 100_000;

  private final Publisher publisher;
  private final int pipeline;
  private final String host;
  private final int port;
  /** The request target with {@code {topic}} in it: the URL's path and query. */
  private final String targetTemplate;
  private final byte[] headTail;
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Bootstrap bootstrap;
  private final Lane[] lanes;
  /** Events sent and not yet handed to their lane (any thread to the event loop). */
  private final Queue<Post> submitted = PlatformDependent.newMpscQueue();
  /**
   * Events a publisher that is behind its schedule (and so never calls {@link #flush}) sends
   * before they are handed to the event loop: a bound on how long one waits, far below a lane's
   * {@link #LANE_QUEUE}.
   */
  private static final int HAND_OVER = 32;
  /** Sent since the last hand-over: the publishing thread's alone (send and flush). */
  private int notHandedOver;
  /** Whether a {@link #drain} task is on its way to the event loop. */
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final Runnable drain = this::drain;
  /** Connections opened, and POSTs sent again after a {@code Connection: close} answer (single writer: the loop). */
  private volatile long connectionsOpened;
  private volatile long resent;
  /** Per topic, the request's bytes up to the Content-Length value (event loop only). */
  private byte[][] heads = new byte[64][];

  /** One lane: every POST waits for the one before it. */
  public HttpPostTransport(String urlTemplate, Publisher publisher) {
    this(urlTemplate, publisher, 1);
  }

  /** {@code lanes} connections, topic {@code i} always on lane {@code i % lanes}, one POST in flight each. */
  public HttpPostTransport(String urlTemplate, Publisher publisher, int lanes) {
    this(urlTemplate, publisher, lanes, 1);
  }

  /**
   * {@code lanes} connections, topic {@code i} always on lane {@code i % lanes}, up to {@code
   * pipeline} POSTs in flight on each.
   */
  public HttpPostTransport(String urlTemplate, Publisher publisher, int lanes, int pipeline) {
    if (lanes < 1) {
      throw new IllegalArgumentException("lanes: " + lanes + " (expected: >= 1)");
    }
    if (pipeline < 1) {
      throw new IllegalArgumentException("pipeline: " + pipeline + " (expected: >= 1)");
    }
    URI uri = URI.create(urlTemplate.replace("{topic}", "t"));
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("not an http:// URL: " + urlTemplate);
    }
    this.publisher = publisher;
    this.pipeline = pipeline;
    this.host = uri.getHost();
    this.port = uri.getPort() < 0 ? 80 : uri.getPort();
    String hostHeader = uri.getPort() < 0 ? host : host + ":" + port;
    int pathStart = urlTemplate.indexOf('/', "http://".length());
    String target = pathStart < 0 ? "/" : urlTemplate.substring(pathStart);
    int fragment = target.indexOf('#');
    this.targetTemplate = fragment < 0 ? target : target.substring(0, fragment);
    this.headTail =
        (" HTTP/1.1\r\nHost: " + hostHeader + "\r\nContent-Type: application/json\r\nContent-Length: ")
            .getBytes(StandardCharsets.US_ASCII);
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000);
    this.lanes = new Lane[lanes];
    for (int i = 0; i < lanes; i++) {
      this.lanes[i] = new Lane();
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
    lanes[topic % lanes.length].reserve();
    submitted.offer(new Post(event, topic, sequence));
    // Handed over at flush (the publisher calls it before each wait for its schedule), or every
    // HAND_OVER events when it never waits: one wake-up of the event loop per batch, not per event.
    if (++notHandedOver >= HAND_OVER) {
      handOver();
    }
  }

  /** Everything sent so far goes to the event loop. */
  @Override
  public void flush() {
    handOver();
  }

  private void handOver() {
    notHandedOver = 0;
    // One task per batch: while a drain is on its way, it takes these events too (it clears the
    // flag before polling, so an event offered after its last poll schedules the next drain).
    if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
      group.execute(drain);
    }
  }

  /** Publishing connections opened so far. */
  public long connectionsOpened() {
    return connectionsOpened;
  }

  /** POSTs that were in flight behind an answer with {@code Connection: close} and went again. */
  public long resent() {
    return resent;
  }

  @Override
  public void close() throws IOException {
    try {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while closing the publishing connections");
    }
  }

  /** On the event loop: every submitted event to its lane, then each lane sends what it may. */
  private void drain() {
    drainScheduled.set(false);
    Post post;
    while ((post = submitted.poll()) != null) {
      lanes[post.topic() % lanes.length].waiting.add(post);
    }
    for (Lane lane : lanes) {
      lane.next();
    }
  }

  /** Appends the whole request of {@code post} to {@code out}, as bytes. Event loop only. */
  private void encode(ByteBuf out, Post post) {
    byte[] head = head(post);
    String event = post.event();
    int length = ByteBufUtil.utf8Bytes(event);
    out.writeBytes(head);
    ByteBufUtil.writeAscii(out, Integer.toString(length));
    out.writeShort(('\r' << 8) | '\n').writeShort(('\r' << 8) | '\n');
    ByteBufUtil.writeUtf8(out, event);
  }

  /** "POST <target> HTTP/1.1 … Content-Length: " of the post's topic, built on its first post. */
  private byte[] head(Post post) {
    int topic = post.topic();
    if (topic >= heads.length) {
      heads = Arrays.copyOf(heads, Math.max(topic + 1, heads.length * 2));
    }
    byte[] head = heads[topic];
    if (head == null) {
      String event = post.event();
      int start = "{\"topic\":\"".length();
      String name = event.substring(start, event.indexOf('"', start));
      byte[] line = ("POST " + targetTemplate.replace("{topic}", name)).getBytes(StandardCharsets.US_ASCII);
      head = Arrays.copyOf(line, line.length + headTail.length);
      System.arraycopy(headTail, 0, head, line.length, headTail.length);
      heads[topic] = head;
    }
    return head;
  }

  /** One connection's worth of posts, in order; its state lives on the group's event loop. */
  private final class Lane {
    private final Semaphore room = new Semaphore(LANE_QUEUE);
    private final ArrayDeque<Post> waiting = new ArrayDeque<>();
    /** Sent on {@link #channel} and not answered yet, oldest first: the order answers come in. */
    private final ArrayDeque<Post> inFlight = new ArrayDeque<>();
    private Channel channel;
    private boolean connecting;

    /** Any thread: waits while the lane holds {@link #LANE_QUEUE} events not answered yet. */
    void reserve() throws InterruptedIOException {
      try {
        room.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while publishing");
      }
    }

    /** Sends waiting posts while fewer than {@code pipeline} are in flight: one flush for all. */
    void next() {
      if (connecting || waiting.isEmpty() || inFlight.size() >= pipeline) {
        return;
      }
      if (channel == null) {
        connect();
        return;
      }
      if (!channel.isActive()) {
        return; // its channelInactive settles what is in flight, then comes back here
      }
      // All the posts there is room for in one buffer and one write.
      int room = Math.min(pipeline - inFlight.size(), waiting.size());
      ByteBuf requests = channel.alloc().buffer(room * 256);
      for (int i = 0; i < room; i++) {
        Post post = waiting.poll();
        inFlight.add(post);
        encode(requests, post);
      }
      channel.writeAndFlush(requests, channel.voidPromise());
    }

    private void connect() {
      connecting = true;
      bootstrap
          .clone()
          .handler(
              new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                  ch.pipeline().addLast(new HttpResponseDecoder()).addLast(new Answers());
                }
              })
          .connect(host, port)
          .addListener(
              f -> {
                connecting = false;
                if (f.isSuccess()) {
                  connectionsOpened++; // the loop is the only writer
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

    /**
     * Each complete answer settles the oldest post in flight; a connection that dies with posts
     * in flight refuses them. Per connection: a connection the lane has left (after its {@code
     * Connection: close} answer) has nothing of the lane's any more.
     */
    private final class Answers extends SimpleChannelInboundHandler<HttpObject> {
      private boolean accepted;
      private boolean keepAlive;

      @Override
      protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (ctx.channel() != channel) {
          return;
        }
        if (msg instanceof HttpResponse response) {
          if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            return; // 100 Continue and the like: the answer is still to come
          }
          accepted = response.status().codeClass() == HttpStatusClass.SUCCESS;
          keepAlive = HttpUtil.isKeepAlive(response);
          if (!response.decoderResult().isSuccess()) {
            ctx.close(); // nothing after a broken answer can be matched to its request
            return;
          }
        }
        if (!(msg instanceof LastHttpContent)) {
          return;
        }
        Post post = inFlight.poll();
        if (post == null) {
          ctx.close(); // an answer to nothing: the server is out of step, trust none of it
          return;
        }
        answer(post, accepted);
        if (!keepAlive) {
          // The server processes no request after this one (RFC 9112 §9.6): the lane's later
          // ones go again on a new connection, ahead of everything waiting and in their order.
          Post unanswered;
          while ((unanswered = inFlight.pollLast()) != null) {
            waiting.addFirst(unanswered);
            resent++; // the loop is the only writer
          }
          channel = null;
          ctx.close();
          next();
        }
        // Otherwise the next posts go at the end of this read (channelReadComplete): a read that
        // carried several answers makes room for several posts, sent in one write.
      }

      @Override
      public void channelReadComplete(ChannelHandlerContext ctx) {
        if (ctx.channel() == channel) {
          next();
        }
        ctx.fireChannelReadComplete();
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        if (ctx.channel() != channel) {
          return;
        }
        channel = null;
        // Sent, maybe processed, never answered: refused, in order, none dropped silently.
        Post post;
        while ((post = inFlight.poll()) != null) {
          answer(post, false);
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
