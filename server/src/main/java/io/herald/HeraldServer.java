package io.herald;

import io.herald.admin.AdminHandler;
import io.herald.admin.AdminServerInitializer;
import io.herald.cluster.RedisEventLog;
import io.herald.cluster.StreamReader;
import io.herald.config.HeraldConfig;
import io.herald.fanout.Broadcaster;
import io.herald.fanout.Pace;
import io.herald.history.EventHistory;
import io.herald.history.EventIdGenerator;
import io.herald.http.ConnectionLimiter;
import io.herald.auth.Authenticator;
import io.herald.auth.CorsPolicy;
import io.herald.http.EventsRoute;
import io.herald.http.HttpRouter;
import io.herald.http.Http2EventsHandler;
import io.herald.http.HttpServerInitializer;
import io.herald.http.TlsContexts;
import io.herald.http.PublishRoute;
import io.herald.http.StreamLimits;
import io.herald.ingest.IngestAuth;
import io.herald.ingest.IngestHandler;
import io.herald.ingest.IngestServerInitializer;
import io.herald.ingest.PublishRequest;
import io.herald.ingest.Publisher;
import io.herald.metrics.HeraldStats;
import io.herald.metrics.PrometheusMetrics;
import io.herald.sse.RetryPolicy;
import io.herald.sse.Subscriber;
import io.herald.transport.OpenFiles;
import io.herald.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Herald: its three listeners (public HTTP, TCP ingest, admin), its event loops, the
 * publishing path and the history. {@link #start} binds everything or fails with the reason;
 * {@link #stop} is the graceful shutdown (no acknowledged event is dropped, every stream is
 * asked to come back later).
 */
public final class HeraldServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HeraldServer.class);

  private final HeraldConfig config;
  private final Transport transport;
  private final HeraldStats stats = new HeraldStats();
  private final ChannelGroup httpChannels = new DefaultChannelGroup("http", GlobalEventExecutor.INSTANCE);
  private final ChannelGroup ingestChannels =
      new DefaultChannelGroup("ingest", GlobalEventExecutor.INSTANCE);
  private final ChannelGroup listeners =
      new DefaultChannelGroup("listeners", GlobalEventExecutor.INSTANCE);
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Broadcaster broadcaster;
  private RedisEventLog eventLog; // cluster mode only
  private StreamReader reader; // cluster mode only
  private RetryPolicy retry;
  private Channel httpListener;
  private Channel httpsListener;
  private Channel ingestListener;
  private Channel adminListener;
  private int maxConnections;
  private volatile boolean serving;
  private WarmUp.Result warmUpResult; // null: no warm-up (--warm-up 0)
  private boolean stopped;

  public HeraldServer(HeraldConfig config) {
    this.config = config;
    this.transport = Transport.named(config.transport);
  }

  /** Binds every listener; on failure everything already started is stopped again. */
  public synchronized HeraldServer start() {
    // Key files are read before anything is bound: a bad key stops the start with its option.
    Authenticator auth = Authenticator.from(config);
    byte[] ingestSecret = IngestAuth.secret(config.ingestSecret, config.ingestSecretFile);
    transport.checkAvailable();
    boss = transport.newGroup(1);
    workers = transport.newGroup(config.eventLoops);
    try {
      ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
      broadcaster =
          new Broadcaster(
              workers,
              alloc,
              new EventHistory(config.historySize, config.historyBytes),
              new EventIdGenerator(System::currentTimeMillis),
              config.ringSize,
              stats,
              config.clusterMode());
      Publisher publisher = Publisher.local(broadcaster);
      if (config.clusterMode()) {
        // Cluster mode: events are stored in (and get their ids from) the shared Redis stream,
        // and reach this node's subscribers through the reader, like every other node's.
        eventLog = RedisEventLog.connect(
            config.redis, config.redisPassword, config.redisCa, config.historySize);
        reader = eventLog.startReader(broadcaster, stats, config.historySize, config.historyBytes);
        broadcaster.replayOlderEventsFrom(eventLog);
        publisher = eventLog;
      }
      retry = new RetryPolicy(config.retryMillis);
      maxConnections =
          config.maxConnections > 0 ? config.maxConnections : OpenFiles.defaultMaxConnections();
      HttpStack stack = new HttpStack(auth, broadcaster, publisher, stats);
      // Writability marks a connection that is not keeping up right now (the stall timer
      // starts, replays pause); the queue bound is what cuts it off.
      int high = (int) Math.min(64 * 1024, Math.max(2, config.queueBytes / 2));
      WriteBufferWaterMark marks = new WriteBufferWaterMark(Math.max(1, high / 2), high);
      // Slow read (slowhttptest -X): left to itself, Linux grows each socket's send buffer up to
      // tcp_wmem's maximum (4 MiB), so a client that reads a few bytes a second has megabytes of
      // events buffered for it in the kernel while Herald sees a writable socket, and neither the
      // queue bound nor the stall timeout engages. A fixed SO_SNDBUF (the kernel doubles it),
      // no larger than the queue bound, makes such a connection unwritable after a few hundred
      // KiB. Found by scripts/abuse; SlowConsumerTest.slowReaderCannotMakeTheKernelBuffer-
      // MegabytesForIt keeps it. --send-buffer 0 gives the kernel its autotuning back.
      int sendBuffer = streamSendBuffer(config);
      SslContext tls =
          config.tlsEnabled()
              ? TlsContexts.server(config.tlsCert.toFile(), config.tlsKey.toFile())
              : null;
      if (!config.warmUp.isZero() && config.warmUpStreams > 0) {
        warmUp(marks, sendBuffer);
      }
      httpListener =
          bind(
              "http",
              config.httpHost,
              config.httpPort,
              stack.initializer(null, httpChannels),
              marks,
              true,
              sendBuffer);
      if (tls != null) {
        httpsListener =
            bind(
                "https",
                config.httpHost,
                config.httpsPort,
                stack.initializer(tls, httpChannels),
                marks,
                true,
                sendBuffer);
      }
      ingestListener =
          bind(
              "ingest",
              config.ingestHost,
              config.ingestPort,
              new IngestServerInitializer(
                  broadcaster, publisher, stats, config.ingestMaxLine, ingestChannels, ingestSecret),
              WriteBufferWaterMark.DEFAULT,
              false,
              0);
      adminListener =
          bind(
              "admin",
              config.adminHost,
              config.adminPort,
              new AdminServerInitializer(
                  new AdminHandler(
                      stats, broadcaster, () -> serving, this::notReadyReason, metrics(alloc))),
              WriteBufferWaterMark.DEFAULT,
              false,
              0);
      long sweep = Math.min(config.heartbeat.toNanos(), config.stallTimeout.toNanos()) / 5;
      broadcaster.startSweeping(
          Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(sweep, TimeUnit.SECONDS.toNanos(1))));
    } catch (RuntimeException e) {
      closeCluster();
      shutdownGroups();
      throw e;
    }
    serving = true;
    // One line with every setting that matters, as name=value text and (--log-format json) as
    // typed fields; the ports also as numbers, for whoever reads the JSON.
    java.util.Map<String, Object> line = new java.util.LinkedHashMap<>();
    line.put("http", config.httpHost + ":" + httpPort());
    line.put("https", httpsListener == null ? "off" : config.httpHost + ":" + httpsPort());
    line.put("ingest", config.ingestHost + ":" + ingestPort());
    line.put("admin", config.adminHost + ":" + adminPort());
    line.put("transport", transport.label());
    line.put(
        "tls",
        httpsListener == null ? "off" : TlsContexts.provider().name().toLowerCase(java.util.Locale.ROOT));
    line.put("event-loops", config.eventLoops);
    line.put("max-connections", maxConnections);
    line.put("max-streams-per-user", config.maxStreamsPerUser);
    line.put("max-streams-per-ip", config.maxStreamsPerIp);
    line.put("h2-max-streams", config.h2MaxStreams);
    line.put("history-size", config.historySize);
    line.put("history-bytes", config.historyBytes);
    line.put("queue-events", config.queueEvents);
    line.put("queue-bytes", config.queueBytes);
    line.put("send-buffer", streamSendBuffer(config));
    line.put(
        "tcp-keepalive",
        config.tcpKeepaliveIdle.isZero()
            ? "off"
            : config.tcpKeepaliveIdle.getSeconds() + "s," + config.tcpKeepaliveInterval.getSeconds()
                + "s," + config.tcpKeepaliveCount);
    line.put("heartbeat-ms", config.heartbeat.toMillis());
    line.put("retry-ms", config.retryMillis);
    line.put("http-publish", auth.publishMode());
    line.put("subscribers", auth.isOpen() ? "OPEN(no-token-needed)" : "token:" + auth.subscriberMode());
    line.put("ingest-auth", ingestSecret == null ? "none" : "secret"); // never the secret itself
    line.put("cors-origins", config.corsOrigins.isEmpty() ? "none" : String.join(",", config.corsOrigins));
    line.put("cluster", eventLog == null ? "off" : eventLog.address() + "/" + RedisEventLog.STREAM);
    line.put("mode", eventLog == null ? "single" : "cluster");
    java.util.Map<String, Object> ports = new java.util.LinkedHashMap<>();
    ports.put("http-port", httpPort());
    if (httpsListener != null) {
      ports.put("https-port", httpsPort());
    }
    ports.put("ingest-port", ingestPort());
    ports.put("admin-port", adminPort());
    logWithFields("herald started", line, ports);
    if (config.demo) {
      log.info("demo page at http://{}:{}/ (--demo)", config.httpHost, httpPort());
    }
    stats.openMode(auth.isOpen());
    if (auth.isOpen()) {
      log.warn(
          "OPEN MODE: no token key is configured, so anyone who reaches port {} may read every"
              + " topic; set --jwt-secret-file, --jwt-public-key or --jwt-jwks to require tokens",
          httpPort());
    }
    if (config.allowQueryToken) {
      log.warn(
          "--allow-query-token: tokens are accepted in the URL (?token=), where proxies and"
              + " browsers log and keep them; prefer the {} cookie or Authorization: Bearer",
          config.jwtCookie);
    }
    return this;
  }

  /**
   * Seconds of silence from a client before the kernel starts probing whether it is there, by
   * default ({@code --tcp-keepalive-idle}).
   */
  public static final int KEEPALIVE_IDLE_SECONDS = 60;

  /**
   * What the public HTTP listeners share: the routes (and with them the per-user and per-address
   * stream counts) and the connection limit. Built once for the server, and once more, apart, for
   * the start-up warm-up ({@link #warmUp}).
   */
  private final class HttpStack {
    private final EventsRoute events;
    private final HttpRouter router;
    private final Supplier<Http2EventsHandler> http2;
    private final ConnectionLimiter limiter;

    HttpStack(Authenticator auth, Broadcaster broadcaster, Publisher publisher, HeraldStats stats) {
      Subscriber.Limits limits =
          new Subscriber.Limits(
              config.queueEvents,
              config.queueBytes,
              config.heartbeat.toNanos(),
              config.stallTimeout.toNanos());
      events =
          new EventsRoute(
              broadcaster,
              limits,
              retry,
              config.maxTopics,
              config.padding,
              stats,
              auth,
              new StreamLimits(config.maxStreamsPerUser, config.maxStreamsPerIp),
              // A reconnect storm's replays are started over a few seconds (docs/robustness.md).
              Pace.intervalNanos(config.resumeRate, config.eventLoops));
      PublishRoute publish = new PublishRoute(publisher, auth, stats);
      CorsPolicy cors = CorsPolicy.of(config.corsOrigins);
      router = new HttpRouter(events, publish, cors, config.demo);
      http2 =
          () ->
              new Http2EventsHandler.Builder(
                      events,
                      publish,
                      config.publishMaxBytes,
                      config.stallTimeout.toNanos(),
                      config.h2MaxStreams)
                  .cors(cors)
                  .demo(config.demo)
                  .headerTimeout(config.headerTimeout.toNanos())
                  .build();
      limiter = new ConnectionLimiter(maxConnections, stats);
    }

    HttpServerInitializer initializer(SslContext tls, ChannelGroup channels) {
      return new HttpServerInitializer(
          limiter, router, http2, config.publishMaxBytes,
          channels,
          tls,
          config.headerTimeout.toNanos(),
          // A reconnect storm is admitted over a second or two, not at once (docs/robustness.md).
          Pace.intervalNanos(config.admissionRate, config.eventLoops));
    }
  }

  /**
   * {@code --warm-up}: before the public ports open, event streams are opened and closed again
   * over real loopback connections, through a listener with the public HTTP pipeline and options,
   * so that the JIT has compiled the path of a new stream (accept, pipeline, request, head,
   * subscribe, first write, close) before the first client's ramp meets it, and, for every second
   * stream, that of a resumption ({@code Last-Event-ID}, replay) before a reconnect storm does. Everything the
   * warm-up touches is its own (broadcaster, stats, limits, an open authenticator, a topic no
   * client sees) and is dropped after it: the server starts with nothing of it.
   */
  /** How many events a resuming warm-up stream is replayed: a short replay, as after a brief cut. */
  static final int WARM_UP_REPLAY_EVENTS = 16;

  private void warmUp(WriteBufferWaterMark marks, int sendBuffer) {
    HeraldStats scratch = new HeraldStats();
    Broadcaster b =
        new Broadcaster(
            workers,
            ByteBufAllocator.DEFAULT,
            new EventHistory(4 * WARM_UP_REPLAY_EVENTS, 64 * 1024),
            new EventIdGenerator(System::currentTimeMillis),
            1024,
            scratch,
            false);
    HttpStack stack = new HttpStack(Authenticator.open(false), b, Publisher.local(b), scratch);
    ChannelGroup channels = new DefaultChannelGroup("warm-up", GlobalEventExecutor.INSTANCE);
    Channel listener =
        bind("warm-up", "127.0.0.1", 0, stack.initializer(null, channels), marks, true, sendBuffer);
    listeners.remove(listener);
    try {
      // Events for every second stream to resume from: it asks from the first, and the replay
      // runs to the last.
      List<PublishRequest> events = new ArrayList<>(WARM_UP_REPLAY_EVENTS + 1);
      for (int i = 0; i <= WARM_UP_REPLAY_EVENTS; i++) {
        events.add(new PublishRequest(WarmUp.TOPIC, null, "{\"warm-up\":" + i + "}"));
      }
      List<String> ids = b.publish(events);
      WarmUp.Result result =
          WarmUp.run(
              workers,
              transport.socketChannel(),
              (InetSocketAddress) listener.localAddress(),
              config.warmUpStreams,
              config.warmUp.toNanos(),
              new WarmUp.Replay(ids.get(0), ids.get(ids.size() - 1)));
      warmUpResult = result;
      log.info(
          "warm-up: {} streams opened and closed in {} ms, {} of them resumed with a replay ({} failed)",
          result.ready(), result.millis(), result.replayed(), result.failed());
    } finally {
      listener.close().syncUninterruptibly();
      channels.close().syncUninterruptibly();
      b.shutdown(retry).syncUninterruptibly();
      b.releaseHistory(); // its streams all ended: nothing reads the warm-up's events any more
    }
  }

  /** The SO_SNDBUF event-stream sockets get: --send-buffer, at most the queue bound; 0: the kernel's. */
  static int streamSendBuffer(HeraldConfig config) {
    return config.sendBuffer == 0
        ? 0
        : (int) Math.min(config.sendBuffer, Math.max(16 * 1024, config.queueBytes));
  }

  private Channel bind(
      String name,
      String host,
      int port,
      ChannelHandler initializer,
      WriteBufferWaterMark marks,
      boolean eventStreams,
      int sendBuffer) {
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, config.backlog)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, marks)
            .childHandler(initializer);
    if (sendBuffer > 0) {
      bootstrap.childOption(ChannelOption.SO_SNDBUF, sendBuffer);
    }
    if (eventStreams && !config.tcpKeepaliveIdle.isZero()) {
      // Find clients that vanished without a FIN: by default within 60 s + 3 × 10 s.
      transport.keepAlive(
          bootstrap,
          (int) config.tcpKeepaliveIdle.getSeconds(),
          (int) config.tcpKeepaliveInterval.getSeconds(),
          config.tcpKeepaliveCount);
    }
    try {
      Channel channel = bootstrap.bind(host, port).syncUninterruptibly().channel();
      listeners.add(channel);
      return channel;
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot listen for " + name + " on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  public int httpPort() {
    return ((InetSocketAddress) httpListener.localAddress()).getPort();
  }

  /** The TLS port, or -1 when TLS is off. */
  public int httpsPort() {
    return httpsListener == null ? -1 : ((InetSocketAddress) httpsListener.localAddress()).getPort();
  }

  public int ingestPort() {
    return ((InetSocketAddress) ingestListener.localAddress()).getPort();
  }

  public int adminPort() {
    return ((InetSocketAddress) adminListener.localAddress()).getPort();
  }

  /** What the start-up warm-up did ({@code --warm-up}); null when there was none. */
  public synchronized WarmUp.Result warmUpResult() {
    return warmUpResult;
  }

  public HeraldStats stats() {
    return stats;
  }

  public boolean isServing() {
    return serving;
  }

  /**
   * Ready for traffic ({@code /readyz}): started, not stopping, every listener (public, TLS when
   * configured, ingest, admin) bound and open, and in cluster mode the reader connected to Redis.
   */
  public boolean isReady() {
    return notReadyReason() == null;
  }

  /**
   * Why this node is not ready ({@code /readyz} says it after "not ready: "), or null when it is.
   * In cluster mode a node whose Redis connection is down can neither store a publish nor see
   * what other nodes publish, so a load balancer should send new streams elsewhere; the reader
   * reconnects by itself and the node is ready again after its first successful read.
   */
  public String notReadyReason() {
    // serving is read first: it is volatile and written after every listener field, so this
    // (admin) thread sees those fields as start() left them.
    if (!serving) {
      return "starting or stopping";
    }
    if (!isOpen(httpListener)
        || (config.tlsEnabled() && !isOpen(httpsListener))
        || !isOpen(ingestListener)
        || !isOpen(adminListener)) {
      return "listener closed";
    }
    if (config.clusterMode() && !stats.redisConnected()) {
      return "redis disconnected";
    }
    return null;
  }

  private static boolean isOpen(Channel listener) {
    return listener != null && listener.isActive();
  }

  private PrometheusMetrics metrics(ByteBufAllocator alloc) {
    Broadcaster publishing = broadcaster;
    return new PrometheusMetrics(
        stats,
        () -> {
          Broadcaster.HistoryView view = publishing.historyView();
          return new PrometheusMetrics.History(view.events(), view.bytes(), view.earliestId());
        },
        alloc,
        System::currentTimeMillis);
  }

  /**
   * The graceful stop: stop accepting; let ingest connections flush the acknowledgements of what
   * they already took and close; deliver every accepted event still on its way; end every
   * stream with a jittered {@code retry:}; wait for them to close, at most {@code
   * --drain-timeout} in all; then release everything.
   */
  public synchronized void stop() {
    if (stopped || workers == null) {
      return;
    }
    stopped = true;
    serving = false;
    long deadline = System.nanoTime() + config.drainTimeout.toNanos();
    listeners.remove(adminListener);
    listeners.close().awaitUninterruptibly();

    for (Channel ingest : ingestChannels) {
      ingest.eventLoop().execute(() -> {
        ingest.config().setAutoRead(false);
        ChannelHandlerContext handler = ingest.pipeline().context(IngestHandler.class);
        if (handler != null) {
          // Closes once a batch still with Redis (cluster mode) has its answers written.
          ((IngestHandler) handler.handler()).finish(handler);
        } else {
          ingest.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
      });
    }
    ingestChannels.newCloseFuture().awaitUninterruptibly(remainingMillis(deadline));

    // HTTP/1.1 connections without a stream are idle keep-alives or single requests: nothing
    // to drain. HTTP/2 connections are closed (GOAWAY) once their streams have ended.
    httpChannels.close(
        channel ->
            !HttpServerInitializer.isEventStream(channel) && !HttpServerInitializer.isHttp2(channel));
    broadcaster.shutdown(retry).awaitUninterruptibly(remainingMillis(deadline));
    closeCluster();
    httpChannels.close(HttpServerInitializer::isHttp2);
    httpChannels.newCloseFuture().awaitUninterruptibly(remainingMillis(deadline));
    int forced = httpChannels.size() + ingestChannels.size();
    httpChannels.close().awaitUninterruptibly();
    ingestChannels.close().awaitUninterruptibly();
    adminListener.close().awaitUninterruptibly();
    shutdownGroups();
    broadcaster.releaseHistory();
    java.util.Map<String, Object> line = new java.util.LinkedHashMap<>();
    line.put("published", stats.published());
    line.put("delivered", stats.delivered());
    line.put("forced-closes", forced);
    logWithFields("herald stopped", line, java.util.Map.of());
  }

  /**
   * Logs {@code what} followed by {@code name=value} for each of {@code shown}; every pair of
   * {@code shown} and {@code extra} is also a key-value pair of the event, which the JSON log
   * format writes as fields of their own.
   */
  private static void logWithFields(
      String what, java.util.Map<String, Object> shown, java.util.Map<String, Object> extra) {
    StringBuilder text = new StringBuilder(what);
    shown.forEach((name, value) -> text.append(' ').append(name).append('=').append(value));
    if (!FLUENT_LOGGING) {
      log.info(text.toString());
      return;
    }
    org.slf4j.spi.LoggingEventBuilder event = log.atInfo();
    shown.forEach(event::addKeyValue);
    extra.forEach(event::addKeyValue);
    event.log(text.toString());
  }

  /**
   * Whether the SLF4J API on the classpath has key-value pairs (2.x). Herald ships 2.x; a host
   * that puts 1.x first (Maven's own plugins do: the h2spec plugin runs Herald next to Maven's
   * SLF4J 1.7) still gets the text line.
   */
  private static final boolean FLUENT_LOGGING = hasFluentLogging();

  private static boolean hasFluentLogging() {
    try {
      Logger.class.getMethod("atInfo");
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private void closeCluster() {
    if (reader != null) {
      reader.close();
      reader = null;
    }
    if (eventLog != null) {
      eventLog.close();
      eventLog = null;
    }
  }

  private static long remainingMillis(long deadlineNanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  private void shutdownGroups() {
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
    if (workers != null) {
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
