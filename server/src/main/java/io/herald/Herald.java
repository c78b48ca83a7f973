package io.herald;

import io.herald.config.ConfigException;
import io.herald.config.ConfigFile;
import io.herald.config.DurationConverter;
import io.herald.config.HeraldConfig;
import io.herald.config.HeraldDefaults;
import io.herald.config.SizeConverter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code herald} command: with no subcommand it runs the server until SIGTERM or SIGINT,
 * then stops gracefully and exits 0.
 *
 * <p>Every option can also come from the environment ({@code --http-port} is {@code
 * HERALD_HTTP_PORT}) or from a config file ({@code http-port = 8080}); a flag wins over the
 * environment, which wins over the file.
 */
@Command(
    name = "herald",
    mixinStandardHelpOptions = true,
    version = "herald 0.1.0",
    description = "Server-Sent Events push server.",
    subcommands = {PublishCommand.class, ConfigCommand.class, TokenCommand.class},
    showDefaultValues = true,
    sortOptions = false,
    footer = {
      "",
      "Every option is also an environment variable (--http-port: HERALD_HTTP_PORT)",
      "and a config file line (http-port = 8080). Flags win over the environment,",
      "which wins over the file. Durations: 25s, 500ms, 2m. Sizes: 64KiB, 1MiB."
    })
public final class Herald implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "Config file (name = value lines).")
  Path configFile;

  /** Where each option's value came from; set by {@link #run} for {@code herald config}. */
  HeraldDefaults defaults;

  @Option(names = "--http-host", defaultValue = "0.0.0.0", description = "Address for GET /events.")
  String httpHost;

  @Option(names = "--http-port", defaultValue = "8080", description = "Port for GET /events (0: any free port).")
  int httpPort;

  @Option(names = "--https-port", defaultValue = "8443",
      description = "TLS port for GET /events (HTTP/2 and HTTP/1.1 by ALPN); on with --tls-cert.")
  int httpsPort;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = "Certificate chain (PEM) for the TLS port.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key (PKCS#8 PEM) for the TLS port.")
  Path tlsKey;

  @Option(names = "--h2-max-streams", defaultValue = "1000",
      description = "Concurrent HTTP/2 streams per connection (advertised in SETTINGS).")
  int h2MaxStreams;

  @Option(names = "--ingest-host", defaultValue = "127.0.0.1", description = "Address of the TCP ingest port (off loopback only with --ingest-secret).")
  String ingestHost;

  @Option(names = "--ingest-port", defaultValue = "7070", description = "TCP ingest port (0: any free port).")
  int ingestPort;

  @Option(names = "--admin-host", defaultValue = "127.0.0.1", description = "Address of the admin port (/healthz, /readyz, /stats, /metrics).")
  String adminHost;

  @Option(names = "--admin-port", defaultValue = "9090", description = "Admin port (0: any free port).")
  int adminPort;

  @Option(names = "--heartbeat", defaultValue = "25s", converter = DurationConverter.class,
      description = "Write a ': ping' comment when a stream was idle this long.")
  Duration heartbeat;

  @Option(names = "--retry", defaultValue = "3000", converter = RetryConverter.class,
      description = "Reconnection delay sent to clients, in ms (or 3s).")
  long retryMillis;

  @Option(names = "--history-size", defaultValue = "100000", description = "Events kept for replay.")
  int historySize;

  @Option(names = "--history-bytes", defaultValue = "64MiB", converter = SizeConverter.class,
      description = "Bytes kept for replay.")
  long historyBytes;

  @Option(names = "--queue-events", defaultValue = "4096",
      description = "Per-connection outbound queue, in writes; a client over it is cut off.")
  int queueEvents;

  @Option(names = "--queue-bytes", defaultValue = "1MiB", converter = SizeConverter.class,
      description = "Per-connection outbound queue, in bytes; a client over it is cut off.")
  long queueBytes;

  @Option(names = "--stall-timeout", defaultValue = "30s", converter = DurationConverter.class,
      description = "Cut off a connection that stays unwritable this long.")
  Duration stallTimeout;

  @Option(names = "--header-timeout", defaultValue = "10s", converter = DurationConverter.class,
      description = "Close a public connection that has not sent a complete request head in this"
          + " time (Slowloris); idle keep-alive connections too.")
  Duration headerTimeout;

  @Option(names = "--admission-rate", defaultValue = "" + HeraldConfig.DEFAULT_ADMISSION_RATE,
      description = "New public connections started per second at most, over the server; more"
          + " wait their turn in arrival order, with reads held, so a reconnect storm is taken"
          + " in small steps while live streams keep their share (0: no limit).")
  int admissionRate;

  @Option(names = "--resume-rate", defaultValue = "" + HeraldConfig.DEFAULT_RESUME_RATE,
      description = "Resumed streams (with a Last-Event-ID) started per second at most, over the"
          + " server; more wait their turn in arrival order, so a reconnect storm's replays are"
          + " spread out; new streams never wait (0, the default: no limit).")
  int resumeRate;

  @Option(names = "--max-connections", defaultValue = "0",
      description = "Public connections at most (0: the open-file limit less 256).")
  int maxConnections;

  @Option(names = "--max-streams-per-user", defaultValue = "100",
      description = "Open streams per user (token 'sub') at most; more get a retry (0: no limit).")
  int maxStreamsPerUser;

  @Option(names = "--max-streams-per-ip", defaultValue = "1000",
      description = "Open streams per client address at most; more get a retry (0: no limit;"
          + " use 0 behind a proxy or for a load test from one host).")
  int maxStreamsPerIp;

  @Option(names = "--max-topics", defaultValue = "64", description = "Topics per stream at most.")
  int maxTopics;

  @Option(names = "--event-loops", defaultValue = "0", description = "I/O threads (0: one per core).")
  int eventLoops;

  @Option(names = "--transport", defaultValue = "auto",
      description = "I/O transport: auto (epoll on Linux, else nio), io_uring (Linux 5.14+; less CPU on large broadcasts), epoll or nio.")
  String transport;

  @Option(names = "--padding", defaultValue = "0", converter = SizeConverter.class,
      description = "Comment padding at the start of each stream, for buffering proxies (e.g. 2048).")
  long padding;

  @Option(names = "--ingest-max-line", defaultValue = "1MiB", converter = SizeConverter.class,
      description = "Longest ingest line; longer lines are refused with an error.")
  long ingestMaxLine;

  @Option(names = "--publish-max-bytes", defaultValue = "4MiB", converter = SizeConverter.class,
      description = "Largest POST /publish body.")
  long publishMaxBytes;

  // fallbackValue: giving the flag always means true. Without it picocli sets a flag to the
  // opposite of its default, and a default of true from the environment would turn it off.
  @Option(names = "--allow-http-publish", defaultValue = "false", fallbackValue = "true",
      description = "Serve POST /publish on the HTTP port without credentials (with --publish-key"
          + " or a JWT key it is served, and needs one).")
  boolean allowHttpPublish;

  @Option(names = "--demo", defaultValue = "false", fallbackValue = "true",
      description = "Serve a demo page at GET / and /demo on the public port: subscribe, see"
          + " events and the connection state, publish (needs --allow-http-publish or a key).")
  boolean demo;

  @Option(names = "--jwt-secret", paramLabel = "SECRET",
      description = "HS256 secret (at least 32 bytes) for subscriber and publisher tokens;"
          + " prefer HERALD_JWT_SECRET or --jwt-secret-file (a flag shows in ps).")
  String jwtSecret;

  @Option(names = "--jwt-secret-file", paramLabel = "FILE",
      description = "File holding the HS256 secret (trailing newline ignored).")
  Path jwtSecretFile;

  @Option(names = "--jwt-public-key", paramLabel = "PEM",
      description = "Public key (PEM): RS256 for RSA, ES256 for EC P-256.")
  Path jwtPublicKey;

  @Option(names = "--jwt-jwks", paramLabel = "FILE", description = "JWKS file of public keys (RS256, ES256).")
  Path jwtJwks;

  @Option(names = "--jwt-audience", description = "Required 'aud' of tokens (not checked when unset).")
  String jwtAudience;

  @Option(names = "--jwt-issuer", description = "Required 'iss' of tokens (not checked when unset).")
  String jwtIssuer;

  @Option(names = "--jwt-cookie", defaultValue = "herald_token", description = "Cookie a browser sends its token in.")
  String jwtCookie;

  @Option(names = "--allow-query-token", defaultValue = "false", fallbackValue = "true",
      description = "Accept the token as ?token= too (it then shows in access logs).")
  boolean allowQueryToken;

  @Option(names = "--publish-key", paramLabel = "KEY",
      description = "Static key (Bearer) for POST /publish, any topic; prefer HERALD_PUBLISH_KEY.")
  String publishKey;

  @Option(names = "--ingest-secret", paramLabel = "SECRET",
      description = "Secret (at least 16 bytes) each ingest connection must send first as"
          + " {\"auth\":\"...\"}; needed to bind the ingest off loopback. Prefer"
          + " HERALD_INGEST_SECRET or --ingest-secret-file (a flag shows in ps).")
  String ingestSecret;

  @Option(names = "--ingest-secret-file", paramLabel = "FILE",
      description = "File holding the ingest secret (trailing newline ignored).")
  Path ingestSecretFile;

  @Option(names = "--cors-origin", paramLabel = "ORIGIN", split = ",",
      description = "Origin whose pages may call /events and /publish from a browser"
          + " (https://app.example.com); repeat or separate with commas. '*': any, open mode only.")
  java.util.List<String> corsOrigins;

  @Option(names = "--redis", paramLabel = "URI",
      description = "Cluster mode: redis://host:port (rediss://host:port: TLS) shared by every node; events go through one"
          + " Redis stream, which assigns their ids. Unset: one node, ids assigned here.")
  String redis;

  @Option(names = "--redis-password", paramLabel = "PASSWORD",
      description = "Password for --redis (AUTH); prefer HERALD_REDIS_PASSWORD.")
  String redisPassword;

  @Option(names = "--redis-ca", paramLabel = "FILE",
      description = "PEM certificate(s) to trust for a rediss:// --redis (e.g. a private CA); unset: the JVM's trusted CAs.")
  java.nio.file.Path redisCa;
  @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
      description = "Log lines as text, or one JSON object per line (ts, level, logger, msg and"
          + " the line's fields) for log shippers.")
  String logFormat;

  @Option(names = "--drain-timeout", defaultValue = "10s", converter = DurationConverter.class,
      description = "Longest graceful stop.")
  Duration drainTimeout;

  @Option(names = "--ring-size", defaultValue = "65536",
      description = "Events queued per event loop before its streams are cut and resume.")
  int ringSize;

  @Option(names = "--backlog", defaultValue = "4096", description = "Listen backlog (connection bursts).")
  int backlog;

  @Option(names = "--warm-up", defaultValue = HeraldConfig.DEFAULT_WARM_UP, converter = DurationConverter.class,
      description = "At start, before the public ports open: open and close up to --warm-up-streams"
          + " event streams over loopback (real sockets, the public pipeline, a private topic and"
          + " broadcaster; every second one resumes with Last-Event-ID and gets a replay) for at most"
          + " this long, so the first crowd of clients, or a reconnect storm, meets compiled code, not"
          + " a cold JVM. Delays the start by as much (0: no warm-up).")
  Duration warmUp;

  @Option(names = "--warm-up-streams", defaultValue = "" + HeraldConfig.DEFAULT_WARM_UP_STREAMS,
      description = "Streams the start-up warm-up opens at most (see --warm-up).")
  int warmUpStreams;

  @Option(names = "--send-buffer", defaultValue = "256KiB", converter = SizeConverter.class,
      description = "SO_SNDBUF of event-stream sockets (the kernel doubles it, and caps it at"
          + " net.core.wmem_max), at most queue-bytes; bounds what a slow reader can have buffered"
          + " in the kernel. 0: the kernel's autotuning (up to tcp_wmem's maximum, MiBs).")
  long sendBuffer;

  @Option(names = "--tcp-keepalive-idle", defaultValue = "1m", converter = DurationConverter.class,
      description = "TCP keepalive on event-stream sockets: probe a client silent this long, to"
          + " find one gone without a FIN (whole seconds; 0: keepalive off).")
  Duration tcpKeepaliveIdle;

  @Option(names = "--tcp-keepalive-interval", defaultValue = "10s", converter = DurationConverter.class,
      description = "Time between unanswered keepalive probes (whole seconds).")
  Duration tcpKeepaliveInterval;

  @Option(names = "--tcp-keepalive-count", defaultValue = "3",
      description = "Unanswered keepalive probes before the connection is closed.")
  int tcpKeepaliveCount;

  public static void main(String[] args) {
    System.exit(run(args, System.getenv()));
  }

  /**
   * The command line with its defaults provider. The config file has to be found before picocli
   * parses (it applies defaults first), so the raw arguments are scanned for it here.
   */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Herald());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("herald: " + e.getMessage());
          return 2;
        });
    return cli;
  }

  static int run(String[] args, Map<String, String> env) {
    return run(args, env, null, null);
  }

  /** As {@link #run(String[], Map)}, writing to {@code out} and {@code err} when not null. */
  static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine();
    if (out != null) {
      cli.setOut(out);
    }
    if (err != null) {
      cli.setErr(err);
    }
    try {
      ConfigFile file = ConfigFile.locate(args, env).map(ConfigFile::load).orElse(null);
      HeraldDefaults defaults = new HeraldDefaults(env, file);
      ((Herald) cli.getCommand()).defaults = defaults;
      defaults.checkKnown(cli.getCommandSpec());
      cli.setDefaultValueProvider(defaults);
      cli.setParameterExceptionHandler(
          (e, badArgs) -> {
            String origin = "";
            if (e.getArgSpec() instanceof CommandLine.Model.OptionSpec option
                && !defaults.origin(option).equals("default")) {
              origin = " (from " + defaults.origin(option) + ")";
            }
            String message =
                e.getCause() instanceof ConfigException config ? config.getMessage() : e.getMessage();
            e.getCommandLine().getErr().println("herald: " + message + origin);
            e.getCommandLine().getErr().println("Run 'herald --help' for the options.");
            return 2;
          });
    } catch (ConfigException e) {
      cli.getErr().println("herald: " + e.getMessage());
      return 2;
    }
    return cli.execute(args);
  }

  /** Builds the validated configuration; the message of a refusal names the setting. */
  HeraldConfig config() {
    return HeraldConfig.builder()
        .httpHost(httpHost)
        .httpPort(httpPort)
        .ingestHost(ingestHost)
        .ingestPort(ingestPort)
        .adminHost(adminHost)
        .adminPort(adminPort)
        .heartbeat(heartbeat)
        .retryMillis(retryMillis)
        .historySize(historySize)
        .historyBytes(historyBytes)
        .queueEvents(queueEvents)
        .queueBytes(queueBytes)
        .stallTimeout(stallTimeout)
        .headerTimeout(headerTimeout)
        .admissionRate(admissionRate)
        .resumeRate(resumeRate)
        .maxConnections(maxConnections)
        .maxStreamsPerUser(maxStreamsPerUser)
        .maxStreamsPerIp(maxStreamsPerIp)
        .maxTopics(maxTopics)
        .eventLoops(eventLoops == 0 ? Runtime.getRuntime().availableProcessors() : eventLoops)
        .transport(transport)
        .padding(intSize("--padding", padding))
        .ingestMaxLine(intSize("--ingest-max-line", ingestMaxLine))
        .publishMaxBytes(intSize("--publish-max-bytes", publishMaxBytes))
        .allowHttpPublish(allowHttpPublish)
        .demo(demo)
        .drainTimeout(drainTimeout)
        .ringSize(ringSize)
        .backlog(backlog)
        .warmUp(warmUp)
        .warmUpStreams(warmUpStreams)
        .sendBuffer(intSize("--send-buffer", sendBuffer))
        .tcpKeepaliveIdle(tcpKeepaliveIdle)
        .tcpKeepaliveInterval(tcpKeepaliveInterval)
        .tcpKeepaliveCount(tcpKeepaliveCount)
        .httpsPort(httpsPort)
        .tlsCert(tlsCert)
        .tlsKey(tlsKey)
        .h2MaxStreams(h2MaxStreams)
        .jwtSecret(jwtSecret)
        .jwtSecretFile(jwtSecretFile)
        .jwtPublicKey(jwtPublicKey)
        .jwtJwks(jwtJwks)
        .jwtAudience(jwtAudience)
        .jwtIssuer(jwtIssuer)
        .jwtCookie(jwtCookie)
        .allowQueryToken(allowQueryToken)
        .publishKey(publishKey)
        .corsOrigins(corsOrigins)
        .ingestSecret(ingestSecret)
        .ingestSecretFile(ingestSecretFile)
        .redis(redis)
        .redisPassword(redisPassword)
        .redisCa(redisCa)
        .logFormat(logFormat)
        .build();
  }

  private static int intSize(String option, long value) {
    if (value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(option + " must be below 2GiB (got " + value + ")");
    }
    return (int) value;
  }

  @Override
  public Integer call() {
    HeraldConfig config = config();
    config.logFormat.apply();
    HeraldServer server = new HeraldServer(config).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop =
        () -> {
          server.stop();
          stopped.countDown();
        };
    // SIGTERM and SIGINT stop gracefully and exit 0; a shutdown hook alone would exit 143.
    StopSignals.install(stop);
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "herald-shutdown-hook"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.stop();
    }
    return 0;
  }

  /** {@code --retry}: plain digits are milliseconds (as in the SSE field), or a duration. */
  static final class RetryConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      String text = value.trim();
      if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
        return Long.parseLong(text);
      }
      return new DurationConverter().convert(text).toMillis();
    }
  }
}
