package io.herald;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client side of {@code --warm-up}: opens event streams over real loopback connections to a
 * listener with the public pipeline, each one until its first bytes of body (the opening comment:
 * the stream is registered) have arrived, then closes it with a reset (no TIME_WAIT left behind),
 * keeping {@link #IN_FLIGHT} in flight, until {@code streams} were opened or the time is up. Every
 * second stream resumes instead, with a {@code Last-Event-ID} some events back, and is ready once
 * its replay has arrived: a reconnect storm after a restart or a network cut is all resumptions,
 * and a Herald that never replayed compiles that path during the storm (bench/RESULTS.md,
 * session 7).
 */
public final class WarmUp {
  /** What the warm-up did: streams that became ready, connections that failed, how long it took. */
  public record Result(int ready, int failed, long millis, int replayed) {}

  /**
   * Where the resuming streams resume: the id they send as {@code Last-Event-ID}, and the id of
   * the last event of their replay, after which they are ready.
   */
  public record Replay(String lastEventId, String lastReplayedId) {}

  /**
   * Connections in flight at once: enough that every event loop always has new ones to take,
   * few enough to stay far within the listen backlog.
   */
  static final int IN_FLIGHT = 256;

  /** The warm-up's topic: on the warm-up's own broadcaster, which no client ever reaches. */
  public static final String TOPIC = "herald-warm-up";

  private final Bootstrap bootstrap;
  private final byte[] request;
  private final byte[] resumeRequest; // null: no stream resumes
  private final String lastReplayedId;
  private final int streams;
  private final long deadlineNanos;
  private final AtomicInteger started = new AtomicInteger();
  private final AtomicInteger ready = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger replayed = new AtomicInteger();
  /** Streams opened in every round so far: the even ones resume. */
  private final AtomicInteger opened;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final ChannelGroup open = new DefaultChannelGroup("warm-up-clients", GlobalEventExecutor.INSTANCE);

  private WarmUp(
      EventLoopGroup group,
      Class<? extends Channel> channelClass,
      InetSocketAddress server,
      int streams,
      long deadlineNanos,
      Replay replay,
      AtomicInteger opened) {
    this.opened = opened;
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(channelClass)
            .remoteAddress(server)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_LINGER, 0)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2_000);
    String head =
        "GET /events?topic=" + TOPIC + " HTTP/1.1\r\nHost: " + server.getHostString() + ":" + server.getPort()
            + "\r\nAccept: text/event-stream\r\n";
    this.request = (head + "\r\n").getBytes(StandardCharsets.US_ASCII);
    this.resumeRequest =
        replay == null
            ? null
            : (head + "Last-Event-ID: " + replay.lastEventId() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    this.lastReplayedId = replay == null ? null : replay.lastReplayedId();
    this.streams = streams;
    this.deadlineNanos = deadlineNanos;
  }

  /**
   * Opens up to {@code streams} streams to {@code server} from {@code group}'s loops, for at most
   * {@code budgetNanos} (connections still open then are closed); returns when done.
   *
   * @param replay where every second stream resumes, or null for none to resume
   */
  static Result run(
      EventLoopGroup group,
      Class<? extends Channel> channelClass,
      InetSocketAddress server,
      int streams,
      long budgetNanos,
      Replay replay) {
    long start = System.nanoTime();
    long deadline = start + budgetNanos;
    int ready = 0;
    int failed = 0;
    int replayed = 0;
    AtomicInteger opened = new AtomicInteger();
    // In rounds, each followed by a pause for the compilers to catch up: while C2's queue is
    // long, HotSpot raises the counts a method needs to be queued at all (Tier4LoadFeedback), so
    // one long round leaves hot methods uncompiled that the next round gets compiled.
    for (int round = 0; round < ROUNDS && System.nanoTime() - deadline < 0; round++) {
      int these = streams / ROUNDS + (round < streams % ROUNDS ? 1 : 0);
      WarmUp warmUp = new WarmUp(group, channelClass, server, these, deadline, replay, opened);
      warmUp.start();
      ready += warmUp.ready.get();
      failed += warmUp.failed.get();
      replayed += warmUp.replayed.get();
      settle(deadline);
    }
    return new Result(ready, failed, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), replayed);
  }

  /** Rounds of streams, each followed by a pause for the compilers ({@link #settle}). */
  static final int ROUNDS = 3;

  /** Opens this round's streams and waits for them (cut off a second after the deadline). */
  private void start() {
    int first = Math.min(IN_FLIGHT, streams);
    if (first == 0) {
      return;
    }
    inFlight.set(first);
    for (int i = 0; i < first; i++) {
      openNext();
    }
    try {
      // Each connection ends by itself once ready or failed; a server that stops answering is
      // cut off a second after the deadline.
      long left = deadlineNanos - System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      if (!finished.await(left, TimeUnit.NANOSECONDS)) {
        open.close().syncUninterruptibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      open.close().syncUninterruptibly();
    }
  }

  /** How often {@link #settle} looks at the compilers, and how long they must have been idle. */
  static final long SETTLE_STEP_MILLIS = 50;

  /**
   * Waits, until {@code deadlineNanos} at most, for the JIT to finish what the streams made hot:
   * until the compilers' total time stopped growing for two {@link #SETTLE_STEP_MILLIS} steps. Their
   * work would otherwise go on into the first clients' ramp, on the cores the loops need.
   */
  static void settle(long deadlineNanos) {
    java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return;
    }
    long before = jit.getTotalCompilationTime();
    int quiet = 0;
    while (deadlineNanos - System.nanoTime() > 0) {
      try {
        Thread.sleep(SETTLE_STEP_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      long now = jit.getTotalCompilationTime();
      quiet = now == before ? quiet + 1 : 0;
      if (quiet == 2) {
        return;
      }
      before = now;
    }
  }

  /** One slot of {@link #inFlight}: a new connection if any is left to open, else the slot ends. */
  private void openNext() {
    if (started.get() >= streams || System.nanoTime() - deadlineNanos >= 0) {
      if (inFlight.decrementAndGet() == 0) {
        finished.countDown();
      }
      return;
    }
    started.incrementAndGet();
    boolean resumes = opened.incrementAndGet() % 2 == 0 && resumeRequest != null;
    Stream stream = resumes ? new Stream(resumeRequest, lastReplayedId) : new Stream(request, null);
    ChannelFuture connect = bootstrap.clone().handler(stream).connect();
    open.add(connect.channel());
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            failed.incrementAndGet();
            openNext();
          }
        });
  }

  /**
   * One warm-up stream: sends the request, waits for the head and the body's first bytes, or,
   * resuming, for the body to hold the last replayed event's id.
   */
  private final class Stream extends ChannelInboundHandlerAdapter {
    /** A resumed stream's body up to its last replayed id is a few KiB: beyond this it failed. */
    private static final int MAX_BODY_CHARS = 64 * 1024;

    private final byte[] streamRequest;
    private final String awaitedId; // null: ready at the body's first byte
    private final StringBuilder body;
    /** The last four bytes seen, to find the end of the head ({@code \r\n\r\n}). */
    private int tail;
    private boolean headDone;
    private boolean counted;

    Stream(byte[] streamRequest, String awaitedId) {
      this.streamRequest = streamRequest;
      this.awaitedId = awaitedId;
      this.body = awaitedId == null ? null : new StringBuilder();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(streamRequest));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      try {
        while (in.isReadable() && !counted) {
          byte b = in.readByte();
          if (headDone && awaitedId == null) {
            counted = true; // the first byte of the body: the stream is registered
            ready.incrementAndGet();
            ctx.close();
          } else if (headDone) {
            body.append((char) (b & 0xff));
            if (b == '\n' && body.indexOf(awaitedId) >= 0) {
              counted = true; // its replay arrived, up to the last event
              ready.incrementAndGet();
              replayed.incrementAndGet();
              ctx.close();
            } else if (body.length() > MAX_BODY_CHARS) {
              ctx.close(); // counted as failed
            }
          } else {
            tail = (tail << 8) | (b & 0xff);
            headDone = tail == 0x0d0a0d0a;
          }
        }
      } finally {
        ReferenceCountUtil.release(in);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!counted) {
        counted = true;
        failed.incrementAndGet();
      }
      openNext();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
