package io.herald.metrics;

import io.herald.sse.DisconnectReason;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Herald's counters, written from every event loop and read by {@code /stats} and {@code
 * /metrics}. Hot paths add
 * once per batch, not once per delivery; {@link LongAdder} keeps those adds from contending.
 */
public final class HeraldStats {
  private final LongAdder httpConnections = new LongAdder();
  private final LongAdder ingestConnections = new LongAdder();
  private final LongAdder streams = new LongAdder();
  private final LongAdder http2Streams = new LongAdder();
  private final LongAdder subscriptions = new LongAdder();
  private final LongAdder published = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder replayRequests = new LongAdder();
  private final LongAdder replayed = new LongAdder();
  private final LongAdder resets = new LongAdder();
  private final LongAdder overruns = new LongAdder();
  private final LongAdder ingestErrors = new LongAdder();
  private final LongAdder ingestRefusedHttp = new LongAdder();
  private final LongAdder rejectedRequests = new LongAdder();
  private final LongAdder ingestPauses = new LongAdder();
  private final Map<DisconnectReason, LongAdder> disconnects = new EnumMap<>(DisconnectReason.class);
  private final long startedMillis = System.currentTimeMillis();

  public HeraldStats() {
    for (DisconnectReason reason : DisconnectReason.values()) {
      disconnects.put(reason, new LongAdder());
    }
  }

  public void httpConnectionOpened() {
    httpConnections.increment();
  }

  public void httpConnectionClosed() {
    httpConnections.decrement();
  }

  public void ingestConnectionOpened() {
    ingestConnections.increment();
  }

  public void ingestConnectionClosed() {
    ingestConnections.decrement();
  }

  public void subscribed(int topics, boolean http2) {
    if (http2) {
      http2Streams.increment();
    }
    streams.increment();
    subscriptions.add(topics);
  }

  public void unsubscribed(int topics, boolean http2) {
    if (http2) {
      http2Streams.decrement();
    }
    streams.decrement();
    subscriptions.add(-topics);
  }

  public void published(long events) {
    published.add(events);
  }

  /**
   * Time from an event's acceptance to the end of its delivery on one event loop (its last
   * subscriber there written), in seconds: one observation per event per loop that has a
   * subscriber of its topic, not per stream.
   */
  private final Histogram deliveryLag =
      Histogram.builder()
          .name("herald_delivery_lag_seconds")
          .help("From an event's acceptance to its last write on an event loop, per event per loop.")
          .classicOnly()
          .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
          .build();

  public void deliveryLag(long nanos) {
    deliveryLag.observe(nanos / 1e9);
  }

  /** For the metrics endpoint to register. */
  public Histogram deliveryLagHistogram() {
    return deliveryLag;
  }

  /**
   * Whether anyone may read any topic (no token key configured), set once at start: said on
   * /healthz, in /stats and in /metrics so that open mode is never a surprise in production.
   */
  private volatile boolean openMode = true;
  // Cluster mode: this node's reader of the shared Redis stream (written by the reader thread).
  private volatile boolean redisMode;
  private volatile boolean redisConnected;
  private final LongAdder redisDisconnects = new LongAdder();
  private final LongAdder redisCaughtUp = new LongAdder();
  private volatile String redisLastId;

  public void openMode(boolean open) {
    this.openMode = open;
  }

  /** Cluster mode: the reader follows the shared stream, connected. */
  public void redisFollowing(String lastId) {
    redisLastId = lastId;
    redisMode = true;
    redisConnected = true;
  }

  /** The reader lost Redis (a failed read); it retries from {@link #redisLastId()}. */
  public void redisLost(String resumeId) {
    redisLastId = resumeId;
    if (redisConnected) {
      redisConnected = false;
      redisDisconnects.increment();
    }
  }

  /** The reader reads again (it may still be behind until {@link #redisCaughtUp}). */
  public void redisBack() {
    redisConnected = true;
  }

  /** The reader caught up: {@code events} were read that had been published while it was behind. */
  public void redisCaughtUp(long events, String lastId) {
    redisCaughtUp.add(events);
    redisLastId = lastId;
  }

  public boolean isRedisMode() {
    return redisMode;
  }

  /** Whether the reader's last read of Redis succeeded (cluster mode). */
  public boolean redisConnected() {
    return redisConnected;
  }

  /** Times the reader lost Redis. */
  public long redisDisconnects() {
    return redisDisconnects.sum();
  }

  /** Events read after a reconnect that had been published while the reader was behind. */
  public long redisCaughtUpEvents() {
    return redisCaughtUp.sum();
  }

  /** The last stream id the reader had when it last lost Redis or caught up (not live). */
  public String redisLastId() {
    return redisLastId;
  }

  public boolean isOpenMode() {
    return openMode;
  }

  public void delivered(long deliveries) {
    if (deliveries != 0) {
      delivered.add(deliveries);
    }
  }

  public void replayRequested() {
    replayRequests.increment();
  }

  public void replayed(long events) {
    if (events != 0) {
      replayed.add(events);
    }
  }

  public void reset() {
    resets.increment();
  }

  public void overrun() {
    overruns.increment();
  }

  public void disconnected(DisconnectReason reason) {
    disconnects.get(reason).increment();
  }

  public void ingestError() {
    ingestErrors.increment();
  }

  public void ingestRefusedHttp() {
    ingestRefusedHttp.increment();
  }

  /** An ingest connection stopped being read (its publisher or the event loops fell behind). */
  public void ingestPaused() {
    ingestPauses.increment();
  }

  public long ingestPauses() {
    return ingestPauses.sum();
  }

  public void requestRejected() {
    rejectedRequests.increment();
  }

  public long streams() {
    return streams.sum();
  }

  /** Of {@link #streams()}, those on HTTP/2 connections. */
  public long http2Streams() {
    return http2Streams.sum();
  }

  public long httpConnections() {
    return httpConnections.sum();
  }

  public long published() {
    return published.sum();
  }

  public long delivered() {
    return delivered.sum();
  }

  public long disconnects(DisconnectReason reason) {
    return disconnects.get(reason).sum();
  }

  public long ingestConnections() {
    return ingestConnections.sum();
  }

  public long subscriptions() {
    return subscriptions.sum();
  }

  public long replayRequests() {
    return replayRequests.sum();
  }

  public long replayed() {
    return replayed.sum();
  }

  public long resets() {
    return resets.sum();
  }

  public long overruns() {
    return overruns.sum();
  }

  public long ingestErrors() {
    return ingestErrors.sum();
  }

  public long ingestHttpRefusals() {
    return ingestRefusedHttp.sum();
  }

  public long rejectedRequests() {
    return rejectedRequests.sum();
  }

  /** When these counters started, in epoch milliseconds. */
  public long startedMillis() {
    return startedMillis;
  }

  /**
   * The figures as one JSON object, for {@code /stats}.
   *
   * @param historyEvents events retained for replay
   * @param historyBytes bytes they take
   * @param earliestId the oldest retained id, or null
   */
  public String toJson(int historyEvents, long historyBytes, String earliestId) {
    StringBuilder json = new StringBuilder(512);
    json.append('{');
    field(json, "uptimeSeconds", (System.currentTimeMillis() - startedMillis) / 1000).append(',');
    json.append("\"access\":\"").append(openMode ? "open" : "token").append("\",");
    json.append("\"connections\":{");
    field(json, "http", httpConnections.sum()).append(',');
    field(json, "ingest", ingestConnections.sum()).append("},");
    field(json, "streams", streams.sum()).append(',');
    field(json, "subscriptions", subscriptions.sum()).append(',');
    json.append("\"events\":{");
    field(json, "in", published.sum()).append(',');
    field(json, "out", delivered.sum()).append(',');
    field(json, "replayRequests", replayRequests.sum()).append(',');
    field(json, "replayed", replayed.sum()).append(',');
    field(json, "resets", resets.sum()).append("},");
    json.append("\"drops\":{");
    field(json, "loopOverruns", overruns.sum()).append(',');
    field(json, "ingestErrors", ingestErrors.sum()).append(',');
    field(json, "ingestHttpRefused", ingestRefusedHttp.sum()).append(',');
    field(json, "rejectedRequests", rejectedRequests.sum()).append("},");
    field(json, "ingestPauses", ingestPauses.sum()).append(',');
    json.append("\"disconnects\":{");
    boolean first = true;
    for (Map.Entry<DisconnectReason, LongAdder> entry : disconnects.entrySet()) {
      if (!first) {
        json.append(',');
      }
      first = false;
      field(json, entry.getKey().label(), entry.getValue().sum());
    }
    json.append("},");
    if (redisMode) {
      json.append("\"redis\":{");
      json.append("\"connected\":").append(redisConnected).append(',');
      field(json, "disconnects", redisDisconnects.sum()).append(',');
      field(json, "caughtUpEvents", redisCaughtUp.sum()).append(',');
      String lastId = redisLastId;
      json.append("\"resumeId\":").append(lastId == null ? "null" : "\"" + lastId + "\"");
      json.append("},");
    }
    json.append("\"history\":{");
    field(json, "events", historyEvents).append(',');
    field(json, "bytes", historyBytes).append(',');
    json.append("\"earliestId\":")
        .append(earliestId == null ? "null" : "\"" + earliestId + "\"")
        .append('}');
    json.append('}');
    return json.toString();
  }

  private static StringBuilder field(StringBuilder json, String name, long value) {
    return json.append('"').append(name).append("\":").append(value);
  }
}
