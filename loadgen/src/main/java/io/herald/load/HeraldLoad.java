package io.herald.load;

import io.herald.load.client.Churn;
import io.herald.load.client.Dial;
import io.herald.load.client.Drops;
import io.herald.load.client.Http2Streams;
import io.herald.load.client.IoTransport;
import io.herald.load.client.Storm;
import io.herald.load.client.StreamCheck;
import io.herald.load.client.StreamHandler;
import io.herald.load.client.Streams;
import io.herald.load.measure.EventClock;
import io.herald.load.measure.JvmOverhead;
import io.herald.load.measure.ProcSampler;
import io.herald.load.measure.SequenceCheck;
import io.herald.load.publish.HttpPostTransport;
import io.herald.load.publish.IngestTransport;
import io.herald.load.publish.Publisher;
import io.herald.load.publish.Topics;
import io.herald.load.report.Report;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.EventExecutor;
import java.lang.management.ManagementFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.IdentityHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code herald-load}: opens many SSE streams, publishes at a fixed rate through Herald's TCP
 * ingest, and measures what every stream received — latency from each event's intended send
 * time, lost and out-of-order events — with a live progress line, a summary, and a report folder.
 * Exits non-zero when any event was lost or any stream failed (the exit codes are in {@code --help}).
 */
@Command(
    name = "herald-load",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    sortOptions = false,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:clean: every stream opened and received every event once, in order",
      "1:events lost, duplicated or late, streams failed, or events refused",
      "2:bad options (usage error)",
      "3:could not start (open-file limit below --connections, ingest unreachable, ...) or aborted (--max-errors)"
    },
    description = "Load generator for SSE servers: many streams, a fixed publish rate, end-to-end latency and loss.")
public final class HeraldLoad implements Callable<Integer> {
  static final int EXIT_CLEAN = 0;
  static final int EXIT_PROBLEMS = 1;
  static final int EXIT_NOT_RUN = 3;

  @Spec CommandSpec spec;

  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080/events?topic={topic}",
      description = "Stream URL; {i} is the connection index, {u} the user index, {topic} the stream's topic.")
  String url;

  @Option(names = "--connections", defaultValue = "1000",
      description = "Concurrent streams (with h1, one connection each). Checked at start against the open-file limit.")
  int connections;

  @Option(names = "--protocol", defaultValue = "h1",
      description = "h1 (one HTTP/1.1 connection per stream), h2c (HTTP/2 with prior knowledge) or h2 (HTTP/2 over TLS,"
          + " chosen by ALPN; --url https://…; any certificate is trusted). HTTP/2 carries --streams-per-connection streams"
          + " per connection.")
  String protocol;

  @Option(names = "--streams-per-connection", defaultValue = "100",
      description = "Streams per HTTP/2 connection (--protocol h2c or h2).")
  int streamsPerConnection;

  @Option(names = "--ramp", defaultValue = "5000", description = "New connections per second.")
  int ramp;

  @Option(names = "--source-addresses", defaultValue = "0",
      description = "Loopback source addresses to spread connections over (127.0.0.2 …); 0: one per 25,000 connections.")
  int sourceAddresses;

  @Option(names = "--topics", defaultValue = "broadcast",
      description = "broadcast (one topic 'load'), per-user (user.<u>) or mix (--broadcast-share of the streams read"
          + " 'load', the rest user.<u>; the same share of the events goes to 'load', the rest to the users in turn).")
  String topicMode;

  @Option(names = "--broadcast-share", defaultValue = "50",
      description = "For --topics mix: percent (0 to 100) of the streams, and of the events, on the broadcast topic.")
  int broadcastShare;

  @Option(names = "--topic-prefix", defaultValue = "",
      description = "Put before every topic name (load → <prefix>load), so that several herald-load processes on one"
          + " server each publish to and check their own topics.")
  String topicPrefix;

  @Option(names = "--users", defaultValue = "1000", description = "Users (topics) for --topics per-user and mix.")
  int users;

  @Option(names = "--rate", defaultValue = "10", description = "Events published per second, in total.")
  double rate;

  @Option(names = "--duration", defaultValue = "30", description = "Seconds of publishing, once every stream is ready.")
  int durationSeconds;

  @Option(names = "--warmup", defaultValue = "0s", converter = DurationConverter.class,
      description = "The first part of --duration (e.g. 10s, 500ms): events due before it ends are checked for loss"
          + " but left out of the latency figures.")
  Duration warmup;

  @Option(names = "--payload-bytes", defaultValue = "100", description = "Approximate size of each event's data.")
  int payloadBytes;

  @Option(names = "--ingest", defaultValue = "127.0.0.1:7070", description = "Herald's TCP ingest port (host:port).")
  String ingest;

  @Option(names = "--ingest-secret", defaultValue = "${env:HERALD_INGEST_SECRET}",
      showDefaultValue = CommandLine.Help.Visibility.NEVER,
      description = "The secret of a Herald started with --ingest-secret: sent as the ingest connection's first line,"
          + " {\"auth\":\"<secret>\"}. Default: the environment variable HERALD_INGEST_SECRET (safer than the command"
          + " line, which other users can see); unset: no authentication.")
  String ingestSecret;

  @Option(names = "--publish", defaultValue = "ingest",
      description = "How events are published: ingest (TCP lines to --ingest) or http (POST to --publish-url).")
  String publishMode;

  @Option(names = "--publish-url", defaultValue = "http://127.0.0.1:8080/publish",
      description = "URL for --publish http; {topic} is replaced by the event's topic.")
  String publishUrl;

  @Option(names = "--publish-connections", defaultValue = "1",
      description = "For --publish http: POST over this many connections at once, each with a fixed share of the"
          + " topics (a topic's events still go one after another, each after the answer to the one before). One"
          + " connection is one event per round trip; per-user topics at thousands of events/s need several.")
  int publishConnections;

  @Option(names = "--publish-pipeline", defaultValue = "1",
      description = "For --publish http: POSTs in flight at once on each publishing connection (HTTP/1.1"
          + " pipelining; the answers come in request order, so each topic's events still reach the server in"
          + " order). 1: each POST waits for the answer to the one before. A connection that closes with POSTs in"
          + " flight refuses them; after an answer with Connection: close the later ones go again on a new connection.")
  int publishPipeline;

  @Option(names = "--churn", defaultValue = "0",
      description = "Percent of the open streams that close and reconnect each second while publishing, resuming with"
          + " Last-Event-ID set to the last id received (the server must replay what they missed: no loss, no"
          + " duplicates). With HTTP/2 a churned stream is reset and reopened on its connection; Herald allows 200"
          + " resets per connection per 30 s.")
  double churn;

  @Option(names = "--reconnect", defaultValue = "false",
      description = "A stream the server closes, or whose connection dies, reopens with Last-Event-ID set to the last id"
          + " it received, after the server's retry: delay (as a browser's EventSource does), and is counted as a drop,"
          + " not a failure; the report adds the drops and how long until every stream was back. Without it a closed"
          + " stream is a failure. HTTP/1.1 only.")
  boolean reconnect;

  @Option(names = "--reconnect-delay", defaultValue = "1000",
      description = "With --reconnect: milliseconds to wait before reopening when the server sent no retry:.")
  long reconnectDelayMillis;

  @Option(names = "--storm", defaultValue = "0",
      description = "A reconnect storm: this many seconds into publishing, every open stream closes its connection,"
          + " stays away for --storm-away while publishing goes on, then all reopen at once with Last-Event-ID set to"
          + " the last id they received (the server must replay rate × away events to each). The report adds the"
          + " streams stormed and the time from the reopen until every one had received what was published up to"
          + " it. 0: no storm. HTTP/1.1 only.")
  int stormSeconds;

  @Option(names = "--storm-away", defaultValue = "2s", converter = DurationConverter.class,
      description = "With --storm: how long the streams stay away (e.g. 2s, 500ms).")
  Duration stormAway;

  @Option(names = "--event-loops", defaultValue = "0", description = "Client I/O threads (0: one per core).")
  int eventLoops;

  @Option(names = "--receive-pause", defaultValue = "0", converter = DurationConverter.class,
      description = "After a wake-up that found little to read, an event loop waits this long (e.g. 1ms, 0.2ms) before"
          + " reading again, so the reads that arrive meanwhile are handled together: fewer wake-ups, less CPU per"
          + " delivery; the latencies measured grow by at most this much. Default 0 (no pause): latency is measured"
          + " as it is; on a quiet machine the pause saved nothing, it helps when the tool shares cores with the server.")
  Duration receivePause;

  @Option(names = "--transport", defaultValue = "auto",
      description = "Netty transport of the streams: epoll, io_uring (with a provided-buffer ring and multishot receive"
          + " where the kernel has them) or nio; auto: the first of these available. io_uring costs less CPU per delivery"
          + " but fell behind at ~1M deliveries/s on 2 cores (bench/RESULTS.md, Session 3).")
  String transportName;

  @Option(names = "--connect-timeout", defaultValue = "120", description = "Seconds to wait for every stream to be ready.")
  int connectTimeoutSeconds;

  @Option(names = "--server-pid", split = ",", paramLabel = "PID[,PID...]", hideParamSyntax = true,
      description = "Sample this process's CPU and RSS from /proc (the server under test); several pids"
          + " (123,456,789: a master and its workers) are summed.")
  List<Long> serverPids;

  @Option(names = "--drain-seconds", defaultValue = "10",
      description = "After publishing, seconds to wait for events still on their way.")
  int drainSeconds;

  @Option(names = "--max-errors", defaultValue = "0",
      description = "Abort the run (exit code 3) once this many connection failures or disconnects were seen; 0: never.")
  long maxErrors;

  @Option(names = "--report", description = "Report folder (default: reports/<timestamp>).")
  Path reportDir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new HeraldLoad()).execute(args));
  }

  @Override
  public Integer call() {
    checkOptions();
    PrintWriter err = spec.commandLine().getErr();
    try {
      return run(err);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("herald-load: interrupted");
      return EXIT_NOT_RUN;
    } catch (Exception e) {
      err.println("herald-load: could not run: " + e);
      return EXIT_NOT_RUN;
    } finally {
      err.flush();
    }
  }

  private int run(PrintWriter err) throws Exception {
    // Before anything is allocated or opened: a run that cannot fit fails now, not mid-ramp.
    int perConnection = protocol.equals("h1") ? 1 : Math.max(1, streamsPerConnection);
    long sockets = ((long) connections + perConnection - 1) / perConnection;
    String tooMany =
        OpenFileLimit.problem(
            "--connections " + connections + (perConnection > 1 ? " (" + perConnection + " streams per connection)" : ""),
            sockets, OpenFileLimit.open(), OpenFileLimit.max());
    if (tooMany != null) {
      err.println("herald-load: " + tooMany);
      return EXIT_NOT_RUN;
    }
    double resetsPerConnectionPerSecond = protocol.equals("h1") ? 0 : churn / 100 * Math.min(streamsPerConnection, connections);
    if (resetsPerConnectionPerSecond > 200 / 30.0) {
      err.printf(
          "herald-load: warning: --churn %s resets %.1f streams per HTTP/2 connection per second; Herald closes a"
              + " connection that resets more than 200 in 30 s%n", churn, resetsPerConnectionPerSecond);
    }
    Topics topics =
        new Topics(
            switch (topicMode) {
              case "per-user" -> Topics.Mode.PER_USER;
              case "mix" -> Topics.Mode.MIX;
              default -> Topics.Mode.BROADCAST;
            },
            users,
            topicMode.equals("mix") ? broadcastShare : topicMode.equals("broadcast") ? 100 : 0,
            topicPrefix);
    int loops = eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
    IoTransport transport = IoTransport.choose(transportName);
    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(
        loops,
        // The name is how the report tells the loops' CPU from the rest (JvmOverhead).
        new io.netty.util.concurrent.DefaultThreadFactory("herald-load-io"),
        transport.ioHandlerFactory(receivePause.toNanos()));
    Map<EventExecutor, SingleWriterRecorder> recorders = new IdentityHashMap<>();
    for (EventExecutor loop : group) {
      recorders.put(loop, new SingleWriterRecorder(3));
    }
    Streams streams = new Streams();
    if (reconnect) {
      streams.reconnectWith(new Drops(reconnectDelayMillis));
    }
    // Opened once --max-errors failures were seen; every wait of the run also waits on it.
    CountDownLatch tooManyErrors = new CountDownLatch(1);
    streams.onFailures(maxErrors, tooManyErrors::countDown);
    AtomicReferenceArray<StreamCheck> handlers = new AtomicReferenceArray<>(connections);
    int[] topicOfStream = new int[connections];
    long cpuStart = processCpuNanos();
    Report report = new Report();
    try {
      openStreams(group, transport, recorders, streams, handlers, topicOfStream, topics);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(connectTimeoutSeconds);
      while (streams.ready() + streams.failureCount() < connections && System.nanoTime() < deadline) {
        progress("opening", streams, recorders, report, 0);
        if (tooManyErrors.await(1, TimeUnit.SECONDS)) { // the progress line's interval
          return aborted(err, streams);
        }
      }
      err.printf("%d of %d streams ready, %d failed%n", streams.ready(), connections, streams.failureCount());
      err.flush();
      for (SingleWriterRecorder recorder : recorders.values()) {
        recorder.getIntervalHistogram(); // forget anything before publishing starts
      }

      Publisher publisher = new Publisher(topics, rate, payloadBytes);
      Publisher.Transport sending;
      if (publishMode.equals("http")) {
        sending = new HttpPostTransport(publishUrl, publisher, publishConnections, publishPipeline);
      } else {
        String[] hostPort = ingest.split(":");
        try {
          String secret = ingestSecret == null || ingestSecret.isEmpty() ? null : ingestSecret;
          sending = new IngestTransport(hostPort[0], Integer.parseInt(hostPort[1]), secret, publisher);
        } catch (IOException e) {
          err.println("herald-load: could not connect to the ingest at " + ingest + ": " + e.getMessage());
          return EXIT_NOT_RUN;
        }
      }
      ProcSampler server = serverPids == null || serverPids.isEmpty() ? null : new ProcSampler(serverPids);
      report.serverProcesses(server == null ? 0 : server.processes());
      double serverCpuStart = server == null ? 0 : server.cpuSeconds();
      // The first event is due when publishing starts; the warm-up counts from there.
      long startMicros = EventClock.nowMicros();
      streams.recordLatencyFrom(startMicros + warmup.toNanos() / 1000);
      report.warmup(warmup.toNanos() / 1e9);
      Thread publishing =
          new Thread(
              () -> {
                try {
                  publisher.run(sending, startMicros, TimeUnit.SECONDS.toNanos(durationSeconds));
                } catch (Exception e) {
                  System.err.println("herald-load: publishing failed: " + e.getMessage());
                }
              },
              "herald-load-publisher");
      Churn churning = new Churn(handlers, streams, churn);
      long publishStart = System.nanoTime();
      long toolCpuAtPublish = processCpuNanos();
      JvmOverhead jvm = new JvmOverhead();
      long lastChurn = publishStart;
      // The after-warm-up CPU figures count from the moment the warm-up ends.
      CompletableFuture<CpuMark> atWarmupEnd =
          warmup.isZero()
              ? null
              : CompletableFuture.supplyAsync(
                  () -> CpuMark.now(server, handlers),
                  CompletableFuture.delayedExecutor(warmup.toNanos(), TimeUnit.NANOSECONDS));
      if (stormSeconds > 0) {
        Storm storm = new Storm(publishStart + TimeUnit.SECONDS.toNanos(stormSeconds), stormAway.toNanos());
        streams.stormWith(storm);
        storm.start(handlers, i -> publisher.publishedTo(topicOfStream[i]), streams);
      }
      err.printf("publishing %s events/s for %d s%n", rate, durationSeconds);
      err.flush();
      publishing.start();
      boolean aborted = false;
      while (publishing.isAlive()) {
        publishing.join(1000);
        if (tooManyErrors.getCount() == 0) {
          aborted = true;
          publisher.stop();
          publishing.join();
          break;
        }
        if (churn > 0) {
          long now = System.nanoTime();
          churning.tick((now - lastChurn) / 1e9);
          lastChurn = now;
        }
        if (server != null) {
          server.rssKib();
        }
        progress("publishing", streams, recorders, report, System.nanoTime() - publishStart);
      }
      aborted |= tooManyErrors.getCount() == 0; // also when the publisher ended first (the server went away)
      if (sending instanceof HttpPostTransport posts) {
        err.printf("publishing connections opened: %d; POSTs sent again after a Connection: close answer: %d%n",
            posts.connectionsOpened(), posts.resent());
      }
      if (atWarmupEnd != null && !atWarmupEnd.cancel(false)) { // done: the warm-up ended while publishing
        CpuMark start = atWarmupEnd.join();
        CpuMark end = CpuMark.now(server, handlers);
        report.afterWarmup(
            start.serverCpuSeconds() < 0 || end.serverCpuSeconds() < 0
                ? -1 : end.serverCpuSeconds() - start.serverCpuSeconds(),
            end.toolCpuSeconds() - start.toolCpuSeconds(),
            end.received() - start.received());
      }
      double serverCpu = server == null ? -1 : server.cpuSeconds() - serverCpuStart;
      double toolPublishingCpu = (processCpuNanos() - toolCpuAtPublish) / 1e9;
      report.toolCpuSplit(
          jvm.seconds(JvmOverhead.Kind.EVENT_LOOPS), jvm.seconds(JvmOverhead.Kind.JIT), jvm.seconds(JvmOverhead.Kind.GC));
      report.receiving(receivePause.toNanos() / 1e6, IoTransport.eventsPerWakeup());
      // Let the last events arrive: until every stream has what was published, or the drain time.
      long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
      while (!aborted
          && System.nanoTime() < drainEnd
          && streams.ready() > 0
          && (totals(handlers, topicOfStream, publisher).lost() > 0
              || (streams.drops() != null && streams.drops().down() > 0)
              || (streams.storm() != null && streams.storm().behind() > 0))) {
        progress("draining", streams, recorders, report, System.nanoTime() - publishStart);
        aborted = tooManyErrors.await(200, TimeUnit.MILLISECONDS);
      }
      progress("done", streams, recorders, report, System.nanoTime() - publishStart);
      streams.stopMeasuring();
      Totals totals = totals(handlers, topicOfStream, publisher);
      report.reads(totals.reads());
      double seconds = (System.nanoTime() - publishStart) / 1e9;
      report.finish(
          this, streams, totals.expected(), totals.received(), totals.lost(), totals.duplicates(),
          totals.outOfOrder(),
          publisher.sent(), publisher.acknowledged(), publisher.refused(), seconds,
          (processCpuNanos() - cpuStart) / 1e9, toolPublishingCpu, transport.label(), serverCpu, server == null ? -1 : server.maxRssKib());
      Path dir = reportDir != null ? reportDir
          : Path.of("reports", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
      report.write(dir);
      System.out.print(report.summaryTable());
      System.out.println("report: " + dir.toAbsolutePath());
      if (aborted) {
        return aborted(err, streams);
      }
      boolean clean = totals.lost() == 0 && totals.duplicates() == 0 && totals.outOfOrder() == 0
          && streams.failureCount() == 0 && (streams.drops() == null || streams.drops().down() == 0)
          && (streams.storm() == null || streams.storm().behind() == 0) && publisher.refused() == 0
          && streams.ready() == connections;
      return clean ? EXIT_CLEAN : EXIT_PROBLEMS;
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }

  private int aborted(PrintWriter err, Streams streams) {
    err.printf("herald-load: aborted: %d connection failures or disconnects reached --max-errors %d %s%n",
        streams.failureCount(), maxErrors, streams.failures());
    return EXIT_NOT_RUN;
  }

  /** Rejects options that cannot work together, as a usage error (exit code 2), before anything starts. */
  private void checkOptions() {
    CommandLine cl = spec.commandLine();
    if (!List.of("broadcast", "per-user", "mix").contains(topicMode)) {
      throw new CommandLine.ParameterException(cl, "--topics must be broadcast, per-user or mix, not " + topicMode);
    }
    if (broadcastShare < 0 || broadcastShare > 100) {
      throw new CommandLine.ParameterException(cl, "--broadcast-share must be from 0 to 100, not " + broadcastShare);
    }
    if (!topicPrefix.matches("[A-Za-z0-9._-]*")) {
      throw new CommandLine.ParameterException(cl, "--topic-prefix may hold letters, digits, '.', '_' and '-' only, not " + topicPrefix);
    }
    if (!publishMode.equals("http") && !publishMode.equals("ingest")) {
      throw new CommandLine.ParameterException(cl, "--publish must be ingest or http");
    }
    if (publishConnections < 1 || publishConnections > 256) {
      throw new CommandLine.ParameterException(cl, "--publish-connections must be from 1 to 256, not " + publishConnections);
    }
    if (publishPipeline < 1 || publishPipeline > 1024) {
      throw new CommandLine.ParameterException(cl, "--publish-pipeline must be from 1 to 1024, not " + publishPipeline);
    }
    if (warmup.compareTo(Duration.ofSeconds(durationSeconds)) >= 0) {
      throw new CommandLine.ParameterException(cl,
          "--warmup (" + warmup.toMillis() + " ms) must be shorter than --duration (" + durationSeconds + " s)");
    }
    if (churn < 0 || churn > 100) {
      throw new CommandLine.ParameterException(cl, "--churn must be a percentage from 0 to 100, not " + churn);
    }
    if (reconnect && !protocol.equals("h1")) {
      throw new CommandLine.ParameterException(cl, "--reconnect works with --protocol h1 only, not " + protocol);
    }
    if (stormSeconds < 0) {
      throw new CommandLine.ParameterException(cl, "--storm must be 0 or more seconds, not " + stormSeconds);
    }
    if (stormSeconds > 0 && !protocol.equals("h1")) {
      throw new CommandLine.ParameterException(cl, "--storm works with --protocol h1 only, not " + protocol);
    }
    if (stormSeconds > 0
        && Duration.ofSeconds(stormSeconds).plus(stormAway).compareTo(Duration.ofSeconds(durationSeconds)) >= 0) {
      throw new CommandLine.ParameterException(cl, "--storm (" + stormSeconds + " s) plus --storm-away ("
          + stormAway.toMillis() + " ms) must end before --duration (" + durationSeconds + " s): the streams reopen"
          + " while publishing goes on");
    }
    if (reconnectDelayMillis < 0) {
      throw new CommandLine.ParameterException(cl, "--reconnect-delay must be 0 or more milliseconds, not " + reconnectDelayMillis);
    }
    try {
      IoTransport.choose(transportName);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, "--transport " + e.getMessage());
    }
    if (!List.of("h1", "h2c", "h2").contains(protocol)) {
      throw new CommandLine.ParameterException(cl, "--protocol must be h1, h2c or h2, not " + protocol);
    }
    String scheme;
    try {
      scheme = URI.create(url.replace("{", "").replace("}", "")).getScheme();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, "--url is not a URL: " + e.getMessage());
    }
    if (protocol.equals("h2") != "https".equalsIgnoreCase(scheme)) {
      throw new CommandLine.ParameterException(cl,
          protocol.equals("h2") ? "--protocol h2 needs an https:// --url" : "--protocol " + protocol + " needs an http:// --url");
    }
  }

  /**
   * The server's and the tool's CPU and the deliveries so far, at one moment: two of them bound a
   * window (after the warm-up) whose CPU per delivery leaves out JIT compilation and start-up.
   */
  record CpuMark(double serverCpuSeconds, double toolCpuSeconds, long received) {
    static CpuMark now(ProcSampler server, AtomicReferenceArray<StreamCheck> handlers) {
      long received = 0;
      for (int i = 0; i < handlers.length(); i++) {
        StreamCheck handler = handlers.get(i);
        if (handler != null) {
          received += handler.sequence().received(); // read while the loops run: a close figure
        }
      }
      return new CpuMark(server == null ? -1 : server.cpuSeconds(), processCpuNanos() / 1e9, received);
    }
  }

  /** What the streams received against what was published to their topics. */
  record Totals(long expected, long received, long lost, long duplicates, long outOfOrder, long reads) {}

  private static Totals totals(
      AtomicReferenceArray<StreamCheck> handlers, int[] topicOfStream, Publisher publisher) {
    long expected = 0;
    long received = 0;
    long lost = 0;
    long duplicates = 0;
    long outOfOrder = 0;
    long reads = 0;
    for (int i = 0; i < handlers.length(); i++) {
      StreamCheck handler = handlers.get(i);
      long published = publisher.publishedTo(topicOfStream[i]);
      expected += published;
      if (handler == null) {
        lost += published; // never connected: everything it should have had is lost
        continue;
      }
      reads += handler.reads();
      SequenceCheck check = handler.sequence();
      received += check.received();
      int topic = topicOfStream[i];
      lost += check.lost(published, sequence -> publisher.wasRefused(topic, sequence));
      duplicates += check.duplicates();
      outOfOrder += check.outOfOrder();
    }
    return new Totals(expected, received, lost, duplicates, outOfOrder, reads);
  }

  private void openStreams(
      MultiThreadIoEventLoopGroup group,
      IoTransport transport,
      Map<EventExecutor, SingleWriterRecorder> recorders,
      Streams streams,
      AtomicReferenceArray<StreamCheck> checks,
      int[] topicOfStream,
      Topics topics)
      throws InterruptedException, SSLException {
    boolean h2 = !protocol.equals("h1");
    SslContext tls = protocol.equals("h2") ? Http2Streams.insecureTlsContext() : null;
    int perConnection = h2 ? Math.max(1, streamsPerConnection) : 1;
    int connectionCount = (connections + perConnection - 1) / perConnection;
    int addresses = sourceAddresses > 0 ? sourceAddresses : Math.max(1, (connectionCount + 24_999) / 25_000);
    long interval = Math.max(1, 1_000_000_000L / Math.max(1, ramp));
    String[] paths = new String[connections];
    URI first = null;
    for (int i = 0; i < connections; i++) {
      int topic = topics.topicOfStream(i);
      topicOfStream[i] = topic;
      URI uri =
          URI.create(
              url.replace("{i}", String.valueOf(i))
                  .replace("{u}", String.valueOf(topics.userOfStream(i)))
                  .replace("{topic}", topics.name(topic)));
      first = first == null ? uri : first;
      paths[i] = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }
    String host = first.getHost();
    int port = first.getPort() > 0 ? first.getPort() : tls != null ? 443 : 80;
    String authority = host + ":" + port;
    InetSocketAddress server = new InetSocketAddress(host, port);
    Bootstrap base = h2 ? transport.bootstrap() : transport.http1Bootstrap();
    // Made once, not per connection: each is a parse of the address text.
    InetSocketAddress[] locals = new InetSocketAddress[addresses];
    for (int a = 0; a < addresses; a++) {
      locals[a] = new InetSocketAddress("127.0.0." + (2 + a), 0);
    }
    // The schedule starts with the first connection, not before the paths above were built: a
    // schedule already behind would open its first connections in one burst, faster than --ramp.
    long next = System.nanoTime();
    for (int c = 0; c < connectionCount; c++) {
      int from = c * perConnection;
      int to = Math.min(connections, from + perConnection);
      // Every connection of these streams, reconnects included, lives on this loop, and the
      // streams record into its recorder: one writer per recorder.
      EventLoop loop = group.next();
      SingleWriterRecorder latency = recorders.get(loop);
      List<StreamCheck> mine = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        StreamCheck check = new StreamCheck(streams, loop, latency);
        checks.set(i, check);
        mine.add(check);
      }
      long wait = next - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait); // the ramp rate
      }
      if (c == connectionCount - 1) {
        streams.lastScheduledAt(next);
      }
      next += interval * perConnection;
      InetSocketAddress local = locals[c % addresses];
      Dial dial = new Dial(base.clone(loop), server, local);
      if (!h2) {
        StreamHandler.open(dial, authority, paths[from], mine.get(0));
        continue;
      }
      List<String> myPaths = List.of(paths).subList(from, to);
      Http2Streams.connect(dial, tls, host, port, authority, myPaths, mine);
    }
  }

  private static long processCpuNanos() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }

  private static void progress(
      String phase, Streams streams, Map<EventExecutor, SingleWriterRecorder> recorders, Report report, long elapsedNanos) {
    Histogram interval = new Histogram(3);
    for (SingleWriterRecorder recorder : recorders.values()) {
      interval.add(recorder.getIntervalHistogram());
    }
    report.interval(elapsedNanos / 1e9, streams.ready(), interval);
    System.err.printf(
        "%-10s streams %d  deliveries/s %d  p99 %.1f ms  reconnects %d  errors %d%n",
        phase, streams.ready(), interval.getTotalCount(),
        interval.getTotalCount() == 0 ? 0.0 : interval.getValueAtPercentile(99) / 1000.0,
        streams.reconnects(), streams.failureCount());
  }
}
