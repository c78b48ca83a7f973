package io.herald.config;

import java.time.Duration;

/**
 * Herald's settings, built once at start and never changed: the command line, the config file
 * and the environment all end here, and every check happens in {@link Builder#build()}, so a bad
 * setting stops the start with a message that names it instead of failing later under load.
 */
public final class HeraldConfig {
  public final String httpHost;
  public final int httpPort;
  public final String ingestHost;
  public final int ingestPort;
  public final String adminHost;
  public final int adminPort;
  public final Duration heartbeat;
  public final long retryMillis;
  public final int historySize;
  public final long historyBytes;
  public final int queueEvents;
  public final long queueBytes;
  public final int maxConnections;
  /** Open streams per user (token subject) at most; 0: no limit. */
  public final int maxStreamsPerUser;
  /** Open streams per client address at most; 0: no limit. */
  public final int maxStreamsPerIp;
  public final int eventLoops;
  /** The I/O transport: auto, io_uring, epoll or nio (checked against the machine at start). */
  public final String transport;
  public final int padding;
  public final int maxTopics;
  public final int ingestMaxLine;
  public final int publishMaxBytes;
  public final boolean allowHttpPublish;
  /** Serve the demo page at {@code GET /} and {@code /demo}. */
  public final boolean demo;
  public final Duration stallTimeout;
  /** Time a public connection has to send a complete request head (Slowloris). */
  public final Duration headerTimeout;
  /**
   * New public connections the server starts reading per second at most (a reconnect storm is
   * taken in small steps, not at once); 0: no pacing by time (only a loop turn's worth at once).
   */
  public final int admissionRate;

  /**
   * {@code --admission-rate}'s default: 10,000 a second, the ramp a server should take (issue 5),
   * which already spreads a storm's burst (docs/robustness.md); 5,000 spread it more in some runs
   * but would hold back a crowd of new streams as much.
   */
  public static final int DEFAULT_ADMISSION_RATE = 10_000;

  /**
   * Resumed streams (a {@code Last-Event-ID} given) the server starts per second at most: a
   * reconnect storm's replays are spread out; 0: no limit.
   */
  public final int resumeRate;

  /**
   * {@code --resume-rate}'s default: no limit. At 5,000 a second it did not improve the measured
   * storm (whose replays are shared and short); it is there for storms with long replays.
   */
  public static final int DEFAULT_RESUME_RATE = 0;
  public final Duration drainTimeout;
  public final int ringSize;
  public final int backlog;
  /**
   * {@code --warm-up}: how long at most the start-up warm-up may take (streams opened and closed
   * over loopback before the public ports open, so the JIT has compiled a new stream's path);
   * zero: none. The builder's default is none (tests); the command line's is
   * {@link #DEFAULT_WARM_UP}.
   */
  public final Duration warmUp;
  /** {@code --warm-up-streams}: how many streams the warm-up opens at most. */
  public final int warmUpStreams;

  /** {@code --warm-up}'s default on the command line. */
  public static final String DEFAULT_WARM_UP = "3s";

  /** {@code --warm-up-streams}' default. */
  public static final int DEFAULT_WARM_UP_STREAMS = 20_000;
  /**
   * SO_SNDBUF of event-stream sockets in bytes, before the kernel doubles it and at most
   * {@code max(16 KiB, queueBytes)}; 0: the kernel's own (autotuned) size.
   */
  public final int sendBuffer;
  /** Silence on an event-stream socket before TCP keepalive probes start; zero: keepalive off. */
  public final Duration tcpKeepaliveIdle;
  /** Time between unanswered keepalive probes. */
  public final Duration tcpKeepaliveInterval;
  /** Unanswered keepalive probes before the kernel closes the connection. */
  public final int tcpKeepaliveCount;
  public final int httpsPort;
  public final java.nio.file.Path tlsCert;
  public final java.nio.file.Path tlsKey;
  public final int h2MaxStreams;
  public final String jwtSecret;
  public final java.nio.file.Path jwtSecretFile;
  public final java.nio.file.Path jwtPublicKey;
  public final java.nio.file.Path jwtJwks;
  public final String jwtAudience;
  public final String jwtIssuer;
  public final String jwtCookie;
  public final boolean allowQueryToken;
  public final String publishKey;
  /** What an ingest connection's first line must carry, or null (see ingestSecretFile). */
  public final String ingestSecret;
  /** The file holding the ingest secret, or null. */
  public final java.nio.file.Path ingestSecretFile;
  /** Origins whose pages may call the public routes from a browser; empty: none. */
  public final java.util.List<String> corsOrigins;
  /** Cluster mode: the Redis every node shares ({@code redis://host:port}), or null (one node). */
  public final String redis;
  /** The Redis password (AUTH), or null. */
  public final String redisPassword;
  /** PEM certificates to trust for {@code rediss://} (instead of the JVM's), or null. */
  public final java.nio.file.Path redisCa;
  /** How log lines are written: text, or one JSON object per line. */
  public final io.herald.logging.LogFormat logFormat;

  private HeraldConfig(Builder b) {
    httpHost = b.httpHost;
    httpPort = b.httpPort;
    ingestHost = b.ingestHost;
    ingestPort = b.ingestPort;
    adminHost = b.adminHost;
    adminPort = b.adminPort;
    heartbeat = b.heartbeat;
    retryMillis = b.retryMillis;
    historySize = b.historySize;
    historyBytes = b.historyBytes;
    queueEvents = b.queueEvents;
    queueBytes = b.queueBytes;
    maxConnections = b.maxConnections;
    maxStreamsPerUser = b.maxStreamsPerUser;
    maxStreamsPerIp = b.maxStreamsPerIp;
    eventLoops = b.eventLoops;
    transport = b.transport;
    padding = b.padding;
    maxTopics = b.maxTopics;
    ingestMaxLine = b.ingestMaxLine;
    publishMaxBytes = b.publishMaxBytes;
    allowHttpPublish = b.allowHttpPublish;
    demo = b.demo;
    stallTimeout = b.stallTimeout;
    headerTimeout = b.headerTimeout;
    admissionRate = b.admissionRate;
    resumeRate = b.resumeRate;
    drainTimeout = b.drainTimeout;
    ringSize = b.ringSize;
    backlog = b.backlog;
    warmUp = b.warmUp;
    warmUpStreams = b.warmUpStreams;
    sendBuffer = b.sendBuffer;
    tcpKeepaliveIdle = b.tcpKeepaliveIdle;
    tcpKeepaliveInterval = b.tcpKeepaliveInterval;
    tcpKeepaliveCount = b.tcpKeepaliveCount;
    httpsPort = b.httpsPort;
    tlsCert = b.tlsCert;
    tlsKey = b.tlsKey;
    h2MaxStreams = b.h2MaxStreams;
    jwtSecret = b.jwtSecret;
    jwtSecretFile = b.jwtSecretFile;
    jwtPublicKey = b.jwtPublicKey;
    jwtJwks = b.jwtJwks;
    jwtAudience = b.jwtAudience;
    jwtIssuer = b.jwtIssuer;
    jwtCookie = b.jwtCookie;
    allowQueryToken = b.allowQueryToken;
    publishKey = b.publishKey;
    ingestSecret = b.ingestSecret;
    ingestSecretFile = b.ingestSecretFile;
    corsOrigins = b.corsOrigins;
    redis = b.redis;
    redisPassword = b.redisPassword;
    redisCa = b.redisCa;
    logFormat = io.herald.logging.LogFormat.parse(b.logFormat);
  }

  /** Whether Herald runs as one node of a cluster sharing a Redis stream. */
  public boolean clusterMode() {
    return redis != null;
  }

  /** Whether subscribers need a token (some key to verify it with is configured). */
  public boolean tokensRequired() {
    return jwtSecret != null || jwtSecretFile != null || jwtPublicKey != null || jwtJwks != null;
  }

  /** Whether the TLS listener runs (a certificate and key were given). */
  public boolean tlsEnabled() {
    return tlsCert != null;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Mutable settings with Herald's defaults; {@link #build()} validates them all at once. */
  public static final class Builder {
    private String httpHost = "0.0.0.0";
    private int httpPort = 8080;
    private String ingestHost = "127.0.0.1";
    private int ingestPort = 7070;
    private String adminHost = "127.0.0.1";
    private int adminPort = 9090;
    private Duration heartbeat = Duration.ofSeconds(25);
    private long retryMillis = 3000;
    private int historySize = 100_000;
    private long historyBytes = 64L << 20;
    private int queueEvents = 4096;
    private long queueBytes = 1L << 20;
    private int maxConnections = 0;
    private int maxStreamsPerUser = 100;
    private int maxStreamsPerIp = 1000;
    private int eventLoops = Runtime.getRuntime().availableProcessors();
    // The system property lets a whole test run use one transport (-Dherald.transport=io_uring).
    private String transport = System.getProperty("herald.transport", "auto");
    private int padding = 0;
    private int maxTopics = 64;
    private int ingestMaxLine = 1 << 20;
    private int publishMaxBytes = 4 << 20;
    private boolean allowHttpPublish = false;
    private boolean demo = false;
    private Duration stallTimeout = Duration.ofSeconds(30);
    private Duration headerTimeout = Duration.ofSeconds(10);
    private int admissionRate = DEFAULT_ADMISSION_RATE;
    private int resumeRate = DEFAULT_RESUME_RATE;
    private Duration drainTimeout = Duration.ofSeconds(10);
    private int ringSize = 65_536;
    private int backlog = 4096;
    private Duration warmUp = Duration.ZERO;
    private int warmUpStreams = DEFAULT_WARM_UP_STREAMS;
    private int sendBuffer = 256 * 1024;
    private Duration tcpKeepaliveIdle = Duration.ofSeconds(60);
    private Duration tcpKeepaliveInterval = Duration.ofSeconds(10);
    private int tcpKeepaliveCount = 3;
    private int httpsPort = 8443;
    private java.nio.file.Path tlsCert;
    private java.nio.file.Path tlsKey;
    private int h2MaxStreams = 1000;
    private String jwtSecret;
    private java.nio.file.Path jwtSecretFile;
    private java.nio.file.Path jwtPublicKey;
    private java.nio.file.Path jwtJwks;
    private String jwtAudience;
    private String jwtIssuer;
    private String jwtCookie = "herald_token";
    private boolean allowQueryToken = false;
    private String publishKey;
    private String ingestSecret;
    private java.nio.file.Path ingestSecretFile;
    private java.util.List<String> corsOrigins = java.util.List.of();
    private String redis;
    private String redisPassword;
    private java.nio.file.Path redisCa;
    private String logFormat = "text";

    public Builder httpHost(String v) { httpHost = v; return this; }
    public Builder httpPort(int v) { httpPort = v; return this; }
    public Builder ingestHost(String v) { ingestHost = v; return this; }
    public Builder ingestPort(int v) { ingestPort = v; return this; }
    public Builder adminHost(String v) { adminHost = v; return this; }
    public Builder adminPort(int v) { adminPort = v; return this; }
    public Builder heartbeat(Duration v) { heartbeat = v; return this; }
    public Builder retryMillis(long v) { retryMillis = v; return this; }
    public Builder historySize(int v) { historySize = v; return this; }
    public Builder historyBytes(long v) { historyBytes = v; return this; }
    public Builder queueEvents(int v) { queueEvents = v; return this; }
    public Builder queueBytes(long v) { queueBytes = v; return this; }
    public Builder maxConnections(int v) { maxConnections = v; return this; }
    public Builder maxStreamsPerUser(int v) { maxStreamsPerUser = v; return this; }
    public Builder maxStreamsPerIp(int v) { maxStreamsPerIp = v; return this; }
    public Builder eventLoops(int v) { eventLoops = v; return this; }
    public Builder transport(String v) { transport = v; return this; }
    public Builder padding(int v) { padding = v; return this; }
    public Builder maxTopics(int v) { maxTopics = v; return this; }
    public Builder ingestMaxLine(int v) { ingestMaxLine = v; return this; }
    public Builder publishMaxBytes(int v) { publishMaxBytes = v; return this; }
    public Builder allowHttpPublish(boolean v) { allowHttpPublish = v; return this; }
    public Builder demo(boolean v) { demo = v; return this; }
    public Builder stallTimeout(Duration v) { stallTimeout = v; return this; }
    public Builder headerTimeout(Duration v) { headerTimeout = v; return this; }
    public Builder admissionRate(int v) { admissionRate = v; return this; }
    public Builder resumeRate(int v) { resumeRate = v; return this; }
    public Builder drainTimeout(Duration v) { drainTimeout = v; return this; }
    public Builder ringSize(int v) { ringSize = v; return this; }
    public Builder backlog(int v) { backlog = v; return this; }
    public Builder warmUp(Duration v) { warmUp = v; return this; }
    public Builder warmUpStreams(int v) { warmUpStreams = v; return this; }
    public Builder sendBuffer(int v) { sendBuffer = v; return this; }
    public Builder tcpKeepaliveIdle(Duration v) { tcpKeepaliveIdle = v; return this; }
    public Builder tcpKeepaliveInterval(Duration v) { tcpKeepaliveInterval = v; return this; }
    public Builder tcpKeepaliveCount(int v) { tcpKeepaliveCount = v; return this; }
    public Builder httpsPort(int v) { httpsPort = v; return this; }
    public Builder tlsCert(java.nio.file.Path v) { tlsCert = v; return this; }
    public Builder tlsKey(java.nio.file.Path v) { tlsKey = v; return this; }
    public Builder h2MaxStreams(int v) { h2MaxStreams = v; return this; }
    public Builder jwtSecret(String v) { jwtSecret = v; return this; }
    public Builder jwtSecretFile(java.nio.file.Path v) { jwtSecretFile = v; return this; }
    public Builder jwtPublicKey(java.nio.file.Path v) { jwtPublicKey = v; return this; }
    public Builder jwtJwks(java.nio.file.Path v) { jwtJwks = v; return this; }
    public Builder jwtAudience(String v) { jwtAudience = v; return this; }
    public Builder jwtIssuer(String v) { jwtIssuer = v; return this; }
    public Builder jwtCookie(String v) { jwtCookie = v; return this; }
    public Builder allowQueryToken(boolean v) { allowQueryToken = v; return this; }
    public Builder publishKey(String v) { publishKey = v; return this; }
    public Builder ingestSecret(String v) { ingestSecret = v; return this; }
    public Builder ingestSecretFile(java.nio.file.Path v) { ingestSecretFile = v; return this; }
    public Builder corsOrigins(java.util.List<String> v) {
      corsOrigins = v == null ? java.util.List.of() : java.util.List.copyOf(v); return this; }

    public Builder redis(String v) { redis = v; return this; }
    public Builder redisPassword(String v) { redisPassword = v; return this; }
    public Builder redisCa(java.nio.file.Path v) { redisCa = v; return this; }
    public Builder logFormat(String v) { logFormat = v; return this; }

    /** Checks every setting; the exception names the option and what is wrong with it. */
    public HeraldConfig build() {
      if (redis != null) {
        java.net.URI address = redisAddress(redis);
        if (redisCa != null && !"rediss".equals(address.getScheme())) {
          fail("--redis-ca", "needs a TLS --redis (rediss://host:port)", redis);
        }
      } else if (redisPassword != null) {
        fail("--redis-password", "needs --redis", "a password without a Redis");
      } else if (redisCa != null) {
        fail("--redis-ca", "needs --redis rediss://host:port", redisCa.toString());
      }
      if (redisCa != null) {
        String pem = null;
        try {
          pem = java.nio.file.Files.readString(redisCa, java.nio.charset.StandardCharsets.US_ASCII);
        } catch (java.io.IOException | RuntimeException e) {
          fail("--redis-ca", "cannot be read (" + e.getClass().getSimpleName() + ")", redisCa.toString());
        }
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
          fail("--redis-ca", "must hold PEM certificates (-----BEGIN CERTIFICATE-----)", redisCa.toString());
        }
      }
      port("--http-port", httpPort);
      port("--ingest-port", ingestPort);
      port("--admin-port", adminPort);
      host("--http-host", httpHost);
      host("--ingest-host", ingestHost);
      host("--admin-host", adminHost);
      positive("--heartbeat", heartbeat);
      if (retryMillis < 1 || retryMillis > 86_400_000L) {
        fail("--retry", "must be between 1 ms and 24 h", retryMillis + " ms");
      }
      atLeast("--history-size", historySize, 1);
      atLeast("--history-bytes", historyBytes, 1024);
      if (historyBytes < ingestMaxLine) {
        fail("--history-bytes", "must be at least --ingest-max-line (" + ingestMaxLine + ")",
            String.valueOf(historyBytes));
      }
      atLeast("--queue-events", queueEvents, 16);
      atLeast("--queue-bytes", queueBytes, 4096);
      atLeast("--max-connections", maxConnections, 0);
      atLeast("--max-streams-per-user", maxStreamsPerUser, 0);
      atLeast("--max-streams-per-ip", maxStreamsPerIp, 0);
      atLeast("--event-loops", eventLoops, 1);
      if (io.herald.transport.Transport.named(transport) == null) {
        fail("--transport", "must be one of " + io.herald.transport.Transport.NAMES,
            String.valueOf(transport));
      }
      atLeast("--padding", padding, 0);
      if (padding > 65_536) {
        fail("--padding", "must be at most 65536 bytes", String.valueOf(padding));
      }
      atLeast("--max-topics", maxTopics, 1);
      atLeast("--ingest-max-line", ingestMaxLine, 256);
      atLeast("--publish-max-bytes", publishMaxBytes, 256);
      positive("--stall-timeout", stallTimeout);
      positive("--header-timeout", headerTimeout);
      atLeast("--admission-rate", admissionRate, 0);
      atLeast("--resume-rate", resumeRate, 0);
      positive("--drain-timeout", drainTimeout);
      atLeast("--ring-size", ringSize, 64);
      atLeast("--backlog", backlog, 1);
      if (warmUp == null || warmUp.isNegative() || warmUp.compareTo(Duration.ofSeconds(60)) > 0) {
        fail("--warm-up", "must be from 0 (none) to 60s", String.valueOf(warmUp));
      }
      atLeast("--warm-up-streams", warmUpStreams, 0);
      if (sendBuffer != 0 && (sendBuffer < 4096 || sendBuffer > 64 << 20)) {
        fail("--send-buffer", "must be 0 (the kernel's autotuning) or from 4KiB to 64MiB",
            String.valueOf(sendBuffer));
      }
      if (tcpKeepaliveIdle == null || !tcpKeepaliveIdle.isZero()) {
        keepaliveSeconds("--tcp-keepalive-idle", tcpKeepaliveIdle, " (or 0: keepalive off)");
      }
      keepaliveSeconds("--tcp-keepalive-interval", tcpKeepaliveInterval, "");
      if (tcpKeepaliveCount < 1 || tcpKeepaliveCount > 127) {
        fail("--tcp-keepalive-count", "must be from 1 to 127", String.valueOf(tcpKeepaliveCount));
      }
      port("--https-port", httpsPort);
      if ((tlsCert == null) != (tlsKey == null)) {
        fail("--tls-cert and --tls-key", "must be given together", tlsCert == null ? "only --tls-key" : "only --tls-cert");
      }
      atLeast("--h2-max-streams", h2MaxStreams, 1);
      if (io.herald.logging.LogFormat.parse(logFormat) == null) {
        fail("--log-format", "must be text or json", String.valueOf(logFormat));
      }
      checkAuth();
      checkCors();
      checkIngest();
      return new HeraldConfig(this);
    }

    private void checkAuth() {
      int keys = (jwtSecret != null ? 1 : 0) + (jwtSecretFile != null ? 1 : 0)
          + (jwtPublicKey != null ? 1 : 0) + (jwtJwks != null ? 1 : 0);
      if (keys > 1) {
        fail("--jwt-secret, --jwt-secret-file, --jwt-public-key and --jwt-jwks",
            "are alternatives: give one", keys + " of them");
      }
      if (jwtSecret != null && jwtSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
        // The length only: a secret never appears in a message.
        fail("--jwt-secret", "must be at least 32 bytes (HS256 needs a 256-bit key)",
            jwtSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + " bytes");
      }
      if (keys == 0 && (jwtAudience != null || jwtIssuer != null)) {
        fail(jwtAudience != null ? "--jwt-audience" : "--jwt-issuer",
            "needs a key to verify tokens with (--jwt-secret, --jwt-secret-file, --jwt-public-key or --jwt-jwks)",
            "no key");
      }
      if (jwtCookie == null || !jwtCookie.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
        fail("--jwt-cookie", "must be a cookie name (letters, digits, - _ . and the like)",
            String.valueOf(jwtCookie));
      }
      if (publishKey != null && publishKey.length() < 16) {
        fail("--publish-key", "must be at least 16 characters", publishKey.length() + " characters");
      }
    }

    /** An origin as a browser sends it: scheme, host and port, lower case, nothing after. */
    private static final java.util.regex.Pattern ORIGIN =
        java.util.regex.Pattern.compile("https?://(\\[[0-9a-f:.]+\\]|[a-z0-9.-]+)(:[0-9]{1,5})?");

    private void checkCors() {
      for (String origin : corsOrigins) {
        if (origin.equals("*")) {
          if (corsOrigins.size() > 1) {
            fail("--cors-origin", "'*' allows every origin: give it alone", corsOrigins.toString());
          }
          boolean keys = jwtSecret != null || jwtSecretFile != null || jwtPublicKey != null
              || jwtJwks != null;
          if (keys) {
            fail("--cors-origin", "'*' is only allowed in open mode (no JWT key): list the origins"
                + " of your pages, e.g. https://app.example.com", "*");
          }
        } else if (!ORIGIN.matcher(origin).matches()) {
          fail("--cors-origin", "must be an origin as a browser sends it: scheme://host[:port],"
              + " lower case, no path or trailing slash (e.g. https://app.example.com)", origin);
        }
      }
    }

    private void checkIngest() {
      if (ingestSecret != null && ingestSecretFile != null) {
        fail("--ingest-secret and --ingest-secret-file", "are alternatives: give one", "both");
      }
      if (ingestSecret != null && ingestSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 16) {
        // The length only: a secret never appears in a message.
        fail("--ingest-secret", "must be at least 16 bytes",
            ingestSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + " bytes");
      }
      if (ingestSecret == null && ingestSecretFile == null && !isLoopback(ingestHost)) {
        fail("--ingest-host", "is not a loopback address, and the ingest port has no"
            + " authentication: set --ingest-secret-file (or --ingest-secret, better"
            + " HERALD_INGEST_SECRET) so publishers must prove they know it, or bind it to 127.0.0.1",
            ingestHost);
      }
    }

    /**
     * Checks a {@code --redis} value: {@code redis://host:port}, or {@code rediss://host:port}
     * for TLS, nothing else (the password has its own option so that it can come from the
     * environment and is masked when printed).
     */
    public static java.net.URI redisAddress(String value) {
      // A value with credentials is not echoed: the message ends up in logs.
      String shown = value.contains("@") ? "a URI with credentials" : value;
      java.net.URI uri = null;
      try {
        uri = new java.net.URI(value);
      } catch (java.net.URISyntaxException e) {
        fail("--redis", "must be redis://host:port or rediss://host:port (TLS)", shown);
      }
      if (!("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme())) || uri.getHost() == null || uri.getPort() < 1
          || uri.getUserInfo() != null || (uri.getPath() != null && !uri.getPath().isEmpty())
          || uri.getQuery() != null) {
        fail("--redis", "must be redis://host:port or rediss://host:port (TLS; password:"
            + " --redis-password)", shown);
      }
      return uri;
    }

    /** Whether a host is a loopback address (a name that cannot be resolved is not). */
    private static boolean isLoopback(String host) {
      try {
        return java.net.InetAddress.getByName(host).isLoopbackAddress();
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }

    private static void port(String option, int port) {
      if (port < 0 || port > 65535) {
        fail(option, "must be a port number from 0 (any free port) to 65535", String.valueOf(port));
      }
    }

    private static void host(String option, String host) {
      if (host == null || host.isBlank()) {
        fail(option, "must be a host name or address", "empty");
      }
    }

    private static void positive(String option, Duration value) {
      if (value == null || value.isZero() || value.isNegative()) {
        fail(option, "must be longer than zero", String.valueOf(value));
      }
    }

    /** Linux takes keepalive times in whole seconds, at most 32767. */
    private static void keepaliveSeconds(String option, Duration value, String orElse) {
      if (value == null || value.isNegative() || value.getNano() != 0
          || value.getSeconds() < 1 || value.getSeconds() > 32_767) {
        fail(option, "must be whole seconds from 1s to 32767s" + orElse,
            value == null ? "null" : Durations.format(value));
      }
    }

    private static void atLeast(String option, long value, long min) {
      if (value < min) {
        fail(option, "must be at least " + min, String.valueOf(value));
      }
    }

    private static void fail(String option, String rule, String got) {
      throw new IllegalArgumentException(option + " " + rule + " (got " + got + ")");
    }
  }
}
