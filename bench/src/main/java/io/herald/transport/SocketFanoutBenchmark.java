package io.herald.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One event written to N real loopback TCP connections by one event loop of a given {@link
 * Transport}, one write and one flush per connection — what a broadcast costs at low rates, where
 * every event is its own write per socket. The operation ends when a plain NIO reader thread in
 * this process has received every byte, so the score (per event; divide by {@code connections})
 * includes the client; on a shared machine it is noisy.
 *
 * <p>The figure that does not depend on the load is printed after each iteration: the CPU time
 * (user + kernel, {@link ThreadMXBean#getThreadCpuTime}) of the event loop's thread per delivery,
 * which on loopback includes the kernel's TCP send and the receive-side processing it does in the
 * sender's context. {@code other} is the rest of the process (JMH thread, GC, JIT, io_uring's
 * kernel workers if any) without the reader.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SocketFanoutBenchmark {
  @Param({"epoll", "io_uring"})
  public String transport;

  @Param({"2000"})
  public int connections;

  private static final int EVENT_BYTES = 130;

  private MultiThreadIoEventLoopGroup group;
  private EventLoop loop;
  private Channel server;
  private final List<Channel> accepted = new CopyOnWriteArrayList<>();
  private Channel[] channels;
  private final List<SocketChannel> clients = new ArrayList<>();
  private Selector selector;
  private Thread reader;
  private volatile boolean running = true;
  private final AtomicLong received = new AtomicLong();
  private volatile long target = Long.MAX_VALUE;
  private volatile Thread waiter;
  private ByteBuf event;
  private Runnable fanout;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private long loopThreadId;
  private long loopCpuStart;
  private long readerCpuStart;
  private long processCpuStart;
  private long softirqStart;
  private long deliveriesStart;
  private long deliveries;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Transport t = Transport.named(transport).checkAvailable();
    group = t.newGroup(1);
    loop = (EventLoop) group.next();
    loopThreadId = loop.submit(() -> Thread.currentThread().getId()).get();
    server =
        new ServerBootstrap()
            .group(group)
            .channel(t.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 4096)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new Accept(accepted))
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
    InetSocketAddress address = (InetSocketAddress) server.localAddress();
    selector = Selector.open();
    for (int i = 0; i < connections; i++) {
      SocketChannel client = SocketChannel.open(address);
      client.configureBlocking(false);
      client.register(selector, SelectionKey.OP_READ);
      clients.add(client);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (accepted.size() < connections && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    if (accepted.size() != connections) {
      throw new IllegalStateException("accepted " + accepted.size() + " of " + connections);
    }
    channels = accepted.toArray(new Channel[0]);
    byte[] bytes = new byte[EVENT_BYTES];
    java.util.Arrays.fill(bytes, (byte) 'x');
    event = Unpooled.directBuffer(EVENT_BYTES).writeBytes(bytes);
    fanout =
        () -> {
          for (Channel channel : channels) {
            channel.write(event.retainedDuplicate(), channel.voidPromise());
            channel.flush();
          }
        };
    reader = new Thread(this::read, "client-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
    try {
      while (running) {
        if (selector.select(100) == 0) {
          continue;
        }
        for (SelectionKey key : selector.selectedKeys()) {
          SocketChannel channel = (SocketChannel) key.channel();
          int n;
          while ((n = channel.read(buffer)) > 0) {
            received.addAndGet(n);
            buffer.clear();
          }
        }
        selector.selectedKeys().clear();
        if (received.get() >= target) {
          Thread w = waiter;
          if (w != null) {
            LockSupport.unpark(w);
          }
        }
      }
    } catch (Exception e) {
      if (running) {
        e.printStackTrace();
      }
    }
  }

  /** Collects the accepted connections; they never send anything. */
  @io.netty.channel.ChannelHandler.Sharable
  private static final class Accept extends ChannelInboundHandlerAdapter {
    private final List<Channel> accepted;

    Accept(List<Channel> accepted) {
      this.accepted = accepted;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      accepted.add(ctx.channel());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      io.netty.util.ReferenceCountUtil.release(msg);
    }
  }

  @Setup(Level.Iteration)
  public void startCounting() {
    loopCpuStart = threads.getThreadCpuTime(loopThreadId);
    readerCpuStart = threads.getThreadCpuTime(reader.getId());
    processCpuStart = processCpu();
    softirqStart = softirqThreadsCpu();
    deliveriesStart = deliveries;
  }

  @TearDown(Level.Iteration)
  public void report() {
    long n = deliveries - deliveriesStart;
    long loopCpu = threads.getThreadCpuTime(loopThreadId) - loopCpuStart;
    long readerCpu = threads.getThreadCpuTime(reader.getId()) - readerCpuStart;
    long other = processCpu() - processCpuStart - loopCpu - readerCpu;
    long softirq = softirqThreadsCpu() - softirqStart;
    System.out.printf(
        "%n  [%s] per delivery: event-loop CPU %.0f ns, other (no reader) %.0f ns, reader %.0f ns,"
            + " ksoftirqd (whole machine) %.0f ns%n",
        transport, (double) loopCpu / n, (double) other / n, (double) readerCpu / n,
        (double) softirq / n);
  }

  /**
   * CPU time of the kernel's ksoftirqd threads (all cores, anyone's traffic), in ns: loopback
   * receive work the kernel deferred there is not counted in any process.
   */
  private static long softirqThreadsCpu() {
    long ticks = 0;
    java.io.File[] procs = new java.io.File("/proc").listFiles((d, name) -> name.matches("\\d+"));
    if (procs == null) {
      return 0;
    }
    for (java.io.File proc : procs) {
      try {
        String comm = java.nio.file.Files.readString(proc.toPath().resolve("comm")).trim();
        if (!comm.startsWith("ksoftirqd/")) {
          continue;
        }
        String stat = java.nio.file.Files.readString(proc.toPath().resolve("stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
      } catch (java.io.IOException | RuntimeException e) {
        // a process that went away meanwhile
      }
    }
    return ticks * 10_000_000L; // USER_HZ = 100
  }

  private static long processCpu() {
    return ((com.sun.management.OperatingSystemMXBean)
            ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** One event to every connection; returns when the reader has it from all of them. */
  @Benchmark
  public long event() {
    long want = received.get() + (long) connections * EVENT_BYTES;
    waiter = Thread.currentThread();
    target = want;
    loop.execute(fanout);
    while (received.get() < want) {
      LockSupport.parkNanos(10_000_000); // the reader unparks this thread when all has come
    }
    deliveries += connections;
    return want;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    running = false;
    reader.join(1000);
    for (SocketChannel client : clients) {
      client.close();
    }
    selector.close();
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    event.release();
  }
}
