package io.herald.cluster;

import io.herald.fanout.Broadcaster;
import io.herald.history.EventId;
import io.herald.ingest.PublishRequest;
import io.herald.metrics.HeraldStats;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's reader of the shared stream: {@code XREAD BLOCK} from the last id it saw, and every
 * entry handed, with its Redis id, to the local {@link Broadcaster} — so local subscribers get
 * what every node published, in the stream's order, exactly as on a single node.
 *
 * <p>At start it loads the newest {@code --history-size} entries into the local history, so a
 * node that just joined can serve {@code Last-Event-ID} replays the stream still covers. When
 * Redis goes away it retries (backing off to {@link #MAX_BACKOFF}) from the same id: nothing is
 * skipped, and once back it logs how far behind it was, and counts it in {@code /stats} ({@code
 * redis}) and {@code /metrics} ({@code herald_redis_*}).
 *
 * <p>Owns one thread and one connection of its own (a blocking read holds its connection).
 */
public final class StreamReader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamReader.class);

  /** How long one read waits for new entries; also bounds how long {@link #close} waits. */
  static final Duration BLOCK = Duration.ofSeconds(1);
  /** Entries per read: the bound on one hand-off to the broadcaster. */
  static final int BATCH = 1024;
  static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

  private final StatefulRedisConnection<String, String> connection;
  private final String address;
  private final Broadcaster broadcaster;
  private final HeraldStats stats;
  private final int historySize;
  private final long historyBytes;
  private final Thread thread;
  private volatile boolean running = true;
  private String lastId = "0-0"; // reader thread only, after start()

  StreamReader(
      StatefulRedisConnection<String, String> connection,
      String address,
      Broadcaster broadcaster,
      HeraldStats stats,
      int historySize,
      long historyBytes) {
    this.connection = connection;
    this.address = address;
    this.broadcaster = broadcaster;
    this.stats = stats;
    this.historySize = historySize;
    this.historyBytes = historyBytes;
    this.thread = new Thread(this::follow, "herald-redis-reader");
    this.thread.setDaemon(true);
  }

  /**
   * Loads the newest entries, as many as the history keeps ({@code --history-size} and about
   * {@code --history-bytes}, read backwards a page at a time so a stream of large events is
   * never read whole), failing the start if Redis cannot be read; then follows the stream.
   */
  void start() {
    RedisCommands<String, String> redis = connection.sync();
    List<StreamMessage<String, String>> newest = new ArrayList<>();
    long bytes = 0;
    String before = null;
    while (newest.size() < historySize && bytes < historyBytes) {
      int asked = Math.min(BATCH, historySize - newest.size());
      Range<String> range =
          before == null
              ? Range.unbounded()
              : Range.from(Range.Boundary.unbounded(), Range.Boundary.excluding(before));
      List<StreamMessage<String, String>> page =
          redis.xrevrange(RedisEventLog.STREAM, range, Limit.from(asked));
      for (StreamMessage<String, String> entry : page) {
        newest.add(entry);
        for (String value : entry.getBody().values()) {
          bytes += value.length();
        }
      }
      if (page.size() < asked) {
        break;
      }
      before = page.get(page.size() - 1).getId();
    }
    Collections.reverse(newest);
    for (int from = 0; from < newest.size(); from += BATCH) {
      deliver(newest.subList(from, Math.min(newest.size(), from + BATCH)));
    }
    log.info(
        "redis reader following {} at {} from {} ({} retained events loaded)",
        RedisEventLog.STREAM,
        address,
        lastId,
        newest.size());
    stats.redisFollowing(lastId);
    thread.start(); // lastId is handed over by Thread.start (happens-before)
  }

  private void follow() {
    RedisCommands<String, String> redis = connection.sync();
    long failures = 0;
    long catchingUp = -1; // events read since Redis came back, until a read is not full
    long backoffMillis = 50;
    while (running) {
      List<StreamMessage<String, String>> read;
      try {
        read =
            redis.xread(
                XReadArgs.Builder.block(BLOCK).count(BATCH),
                XReadArgs.StreamOffset.from(RedisEventLog.STREAM, lastId));
      } catch (RuntimeException e) {
        if (!running) {
          break;
        }
        if (failures++ == 0) {
          stats.redisLost(lastId);
          log.warn(
              "redis reader lost {} ({}); retrying, and will resume after {}",
              address,
              e.getMessage(),
              lastId);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMillis));
        backoffMillis = Math.min(MAX_BACKOFF.toMillis(), backoffMillis * 2);
        continue;
      }
      if (failures > 0) {
        log.info(
            "redis reader back on {} after {} failed reads; resuming after {}",
            address,
            failures,
            lastId);
        failures = 0;
        backoffMillis = 50;
        stats.redisBack();
        catchingUp = 0;
      }
      if (read == null) {
        read = List.of();
      }
      deliver(read);
      if (catchingUp >= 0) {
        catchingUp += read.size();
        if (read.size() < BATCH) {
          log.info(
              "redis reader caught up: {} events were published while it was behind (now at {})",
              catchingUp,
              lastId);
          stats.redisCaughtUp(catchingUp, lastId);
          catchingUp = -1;
        }
      }
    }
  }

  private void deliver(List<StreamMessage<String, String>> entries) {
    if (entries.isEmpty()) {
      return;
    }
    lastId = entries.get(entries.size() - 1).getId();
    List<Broadcaster.Given> events = events(entries);
    int skipped = broadcaster.deliver(events);
    if (skipped > 0) {
      log.warn("redis reader skipped {} events whose ids were not newer than the last", skipped);
    }
  }

  /** The Herald events among stream entries, with their ids; anything else is logged and left out. */
  static List<Broadcaster.Given> events(List<StreamMessage<String, String>> entries) {
    List<Broadcaster.Given> events = new ArrayList<>(entries.size());
    for (StreamMessage<String, String> entry : entries) {
      EventId id = EventId.parse(entry.getId());
      Map<String, String> body = entry.getBody();
      String topic = body == null ? null : body.get("topic");
      String data = body == null ? null : body.get("data");
      if (id == null || topic == null || data == null) {
        log.warn("skipping stream entry {}: not a Herald event", entry.getId());
        continue;
      }
      events.add(new Broadcaster.Given(id, new PublishRequest(topic, body.get("type"), data)));
    }
    return events;
  }

  /** Stops following (within about {@link #BLOCK}) and closes the connection. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(BLOCK.plus(RedisEventLog.COMMAND_TIMEOUT).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    connection.close();
  }
}
