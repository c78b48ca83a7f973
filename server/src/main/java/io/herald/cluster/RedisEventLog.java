package io.herald.cluster;

import io.herald.config.HeraldConfig;
import io.herald.fanout.Broadcaster;
import io.herald.fanout.SharedLog;
import io.herald.history.EventId;
import io.herald.ingest.PublishRequest;
import io.herald.ingest.Publisher;
import io.herald.metrics.HeraldStats;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.util.internal.ObjectUtil;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The shared event log of a cluster: one Redis stream, {@value #STREAM}, holding every event
 * published on any node as an entry with the fields {@code topic}, {@code type} (absent for the
 * default type) and {@code data}. Redis assigns the entry id ({@code <millis>-<seq>}, the shape
 * of Herald's own ids), and that id is the event's SSE id on every node.
 *
 * <p>As a {@link Publisher} it appends a batch with one Lua script (one round trip, atomic: all
 * of a batch or nothing, in order, never interleaved with another node's batch) and completes
 * only after Redis answered, so nothing is acknowledged that Redis did not store. While Redis is
 * unreachable commands fail at once (Lettuce rejects them while disconnected) or after
 * {@link #COMMAND_TIMEOUT}, and the publisher gets that reason. The stream is trimmed to about
 * {@code --history-size} entries ({@code MAXLEN ~}).
 *
 * <p><b>At least once.</b> An acknowledged event is stored; an event that was not acknowledged
 * may still be stored. A batch whose answer did not come within {@link #COMMAND_TIMEOUT} (Redis
 * slow, paused, or the network lost the reply) may have been appended, and Lettuce re-sends a
 * command that was in flight when its connection broke once it reconnects: such events reach
 * every subscriber although their publisher was told {@code not confirmed} (see {@link
 * #failureMessage}), and a publisher that retries them publishes them twice, under two ids.
 * Never the other way round: nothing acknowledged is missing.
 *
 * <p>Lettuce runs on Netty (the project's Netty, pinned by the BOM); it gets a small event loop
 * group of its own, apart from the loops that serve subscribers, so a Redis round trip never
 * waits behind fan-out work and fan-out never waits on Redis.
 */
public final class RedisEventLog implements Publisher, SharedLog, AutoCloseable {
  /** The stream every node appends to and reads from. */
  public static final String STREAM = "herald:events";

  /** How long a publish waits for Redis before the publisher is told it failed. */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(3);

  /**
   * KEYS[1] the stream; ARGV[1] the MAXLEN; then topic, type ('' for none), data per event.
   * Returns the ids in order.
   */
  private static final String APPEND =
      "local ids = {}\n"
          + "for i = 2, #ARGV, 3 do\n"
          + "  if ARGV[i + 1] == '' then\n"
          + "    ids[#ids + 1] = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',"
          + " 'topic', ARGV[i], 'data', ARGV[i + 2])\n"
          + "  else\n"
          + "    ids[#ids + 1] = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',"
          + " 'topic', ARGV[i], 'type', ARGV[i + 1], 'data', ARGV[i + 2])\n"
          + "  end\n"
          + "end\n"
          + "return ids\n";

  private final String address;
  private final ClientResources resources;
  private final RedisClient client;
  private final RedisURI uri;
  private final StatefulRedisConnection<String, String> publishing;
  private final String maxLength;

  private RedisEventLog(
      String address,
      ClientResources resources,
      RedisClient client,
      RedisURI uri,
      StatefulRedisConnection<String, String> publishing,
      int maxLength) {
    this.address = address;
    this.resources = resources;
    this.client = client;
    this.uri = uri;
    this.publishing = publishing;
    this.maxLength = String.valueOf(maxLength);
  }

  /**
   * Connects to the Redis of {@code --redis}.
   *
   * @param maxLength about how many entries the stream keeps ({@code --history-size})
   * @throws IllegalStateException naming {@code --redis} when Redis cannot be reached
   */
  public static RedisEventLog connect(String redis, String password, int maxLength) {
    return connect(redis, password, null, maxLength);
  }

  /**
   * Connects to the Redis of {@code --redis}; {@code rediss://} is TLS, the server's certificate
   * verified (chain and host name) against {@code ca} ({@code --redis-ca}) or, when null, the
   * JVM's trusted CAs.
   *
   * @param maxLength about how many entries the stream keeps ({@code --history-size})
   * @throws IllegalStateException naming {@code --redis} when Redis cannot be reached
   */
  public static RedisEventLog connect(String redis, String password, Path ca, int maxLength) {
    ObjectUtil.checkPositive(maxLength, "maxLength");
    URI address = HeraldConfig.Builder.redisAddress(redis);
    boolean tls = "rediss".equals(address.getScheme());
    RedisURI.Builder uri =
        RedisURI.builder()
            .withHost(address.getHost())
            .withPort(address.getPort())
            .withSsl(tls)
            .withVerifyPeer(tls ? SslVerifyMode.FULL : SslVerifyMode.NONE)
            .withTimeout(COMMAND_TIMEOUT);
    if (password != null) {
      uri.withPassword(password.toCharArray());
    }
    ClientResources resources =
        DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
    RedisClient client = RedisClient.create(resources);
    SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider();
    if (ca != null) {
      ssl.trustManager(ca.toFile());
    }
    client.setOptions(
        ClientOptions.builder()
            .sslOptions(ssl.build())
            .autoReconnect(true)
            // While Redis is away, fail commands at once instead of queueing them unbounded:
            // a publisher must hear "not stored", not wait on a buffer that may never drain.
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled())
            .socketOptions(SocketOptions.builder().connectTimeout(COMMAND_TIMEOUT).build())
            .build());
    RedisURI built = uri.build();
    try {
      return new RedisEventLog(redis, resources, client, built, client.connect(built), maxLength);
    } catch (RuntimeException e) {
      client.shutdown(0, 2, TimeUnit.SECONDS);
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw new IllegalStateException(
          "--redis: cannot connect to " + redis + ": " + e.getMessage(), e);
    }
  }

  /** Where this log's Redis is, for messages ({@code redis://host:port}). */
  public String address() {
    return address;
  }

  @Override
  public CompletableFuture<List<String>> publish(List<PublishRequest> requests) {
    String[] args = new String[1 + 3 * requests.size()];
    args[0] = maxLength;
    int i = 1;
    for (PublishRequest request : requests) {
      args[i++] = request.topic();
      args[i++] = request.type() == null ? "" : request.type();
      args[i++] = request.data();
    }
    CompletableFuture<List<Object>> appended;
    try {
      appended =
          publishing
              .async()
              .<List<Object>>eval(APPEND, ScriptOutputType.MULTI, new String[] {STREAM}, args)
              .toCompletableFuture();
    } catch (RuntimeException e) {
      appended = CompletableFuture.failedFuture(e);
    }
    return appended.handle(
        (ids, failure) -> {
          if (failure != null) {
            throw new IllegalStateException(failureMessage(failure));
          }
          List<String> text = new ArrayList<>(ids.size());
          for (Object id : ids) {
            text.add(String.valueOf(id));
          }
          return text;
        });
  }

  /**
   * What a publisher is told when a batch was not acknowledged. Two cases differ: Redis was not
   * reachable and the command never left (<em>not stored</em>: publishing again is safe), or the
   * command was sent and no answer came within {@link #COMMAND_TIMEOUT} (<em>not confirmed</em>:
   * Redis may have stored the events, and then every node delivers them; publishing again may
   * deliver them twice, with two ids).
   */
  String failureMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof RedisCommandTimeoutException) {
      return "not confirmed: Redis at " + address + " did not answer within "
          + COMMAND_TIMEOUT.toSeconds() + " s; the events may still be stored and delivered"
          + " (at least once): publish again only if a repeat is harmless";
    }
    return "not stored: Redis at " + address + " did not take the events ("
        + Publisher.reason(failure) + ")";
  }

  /**
   * {@code XRANGE} for replays older than a node's history; Redis 6.2 or later (exclusive
   * bounds). Entries that are not Herald events are left out.
   */
  @Override
  public CompletableFuture<List<Broadcaster.Given>> range(
      EventId from, boolean inclusive, EventId before, int count) {
    Range<String> range =
        Range.from(
            inclusive
                ? Range.Boundary.including(from.toString())
                : Range.Boundary.excluding(from.toString()),
            Range.Boundary.excluding(before.toString()));
    try {
      return publishing
          .async()
          .xrange(STREAM, range, Limit.from(count))
          .toCompletableFuture()
          .thenApply(StreamReader::events);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Starts this node's reader: it loads the stream's retained entries into {@code broadcaster}'s
   * history, then follows the stream on a connection (and thread) of its own.
   */
  public StreamReader startReader(
      Broadcaster broadcaster, HeraldStats stats, int historySize, long historyBytes) {
    RedisURI blocking =
        RedisURI.builder(uri)
            .withTimeout(StreamReader.BLOCK.plus(COMMAND_TIMEOUT))
            .build();
    StatefulRedisConnection<String, String> connection = client.connect(blocking);
    StreamReader reader = new StreamReader(connection, address, broadcaster, stats, historySize, historyBytes);
    try {
      reader.start();
    } catch (RuntimeException e) {
      connection.close();
      throw new IllegalStateException(
          "--redis: cannot read " + STREAM + " from " + address + ": " + e.getMessage(), e);
    }
    return reader;
  }

  @Override
  public void close() {
    publishing.close();
    client.shutdown(0, 2, TimeUnit.SECONDS);
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
