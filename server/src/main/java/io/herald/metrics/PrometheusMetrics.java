package io.herald.metrics;

import io.herald.history.EventId;
import io.herald.sse.DisconnectReason;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Herald's figures in the Prometheus text format, for {@code GET /metrics} on the admin port.
 *
 * <p>Every metric is a callback that reads {@link HeraldStats} (or the history, the JVM, Netty's
 * allocator) when scraped, so nothing here runs on the data path: the event loops keep adding to
 * the same {@code LongAdder}s that {@code /stats} reads. Names follow Prometheus conventions:
 * {@code herald_} prefix, {@code _total} on counters, base units (seconds, bytes) in the name.
 *
 * <p>The registry is this object's own, never the client's global default, so several Herald
 * servers in one JVM (the tests) each expose only their own figures.
 */
public final class PrometheusMetrics {
  /** The content type of the Prometheus text format, version 0.0.4. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  /** The history as the metrics see it: a snapshot taken once per scrape. */
  public record History(int events, long bytes, String earliestId) {}

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  /**
   * @param stats Herald's counters
   * @param history reads the retained events (takes the publishing lock briefly, once a scrape)
   * @param allocator the allocator the event loops use, for its used-memory figures
   * @param clockMillis the wall clock, for the age of the oldest retained event
   */
  public PrometheusMetrics(
      HeraldStats stats, Supplier<History> history, ByteBufAllocator allocator, LongSupplier clockMillis) {
    registry.register(stats.deliveryLagHistogram());
    counter("herald_events_published", "Events accepted (ingest and POST /publish) and stored in the history.", stats::published);
    counter("herald_events_delivered", "Live events written to streams, one per event per stream.", stats::delivered);
    counter("herald_replay_requests", "Streams that asked to resume from a Last-Event-ID.", stats::replayRequests);
    counter("herald_replayed_events", "Events written to streams from the history while resuming.", stats::replayed);
    counter("herald_resets", "Streams that started with event: reset (their id was no longer retained).", stats::resets);
    counter("herald_loop_overruns", "Times an event loop fell a whole ring behind and cut its streams.", stats::overruns);
    counter("herald_ingest_errors", "Ingest lines refused with an error answer.", stats::ingestErrors);
    counter("herald_ingest_http_refused", "Ingest connections closed because they spoke HTTP.", stats::ingestHttpRefusals);
    counter("herald_ingest_pauses", "Times an ingest connection stopped being read (backpressure).", stats::ingestPauses);
    counter("herald_rejected_requests", "HTTP requests refused (bad request, over a limit, not allowed).", stats::rejectedRequests);
    CounterWithCallback.builder()
        .name("herald_disconnects")
        .help("Streams that ended, by reason (header-timeout: connections closed by --header-timeout before any request).")
        .labelNames("reason")
        .callback(
            callback -> {
              for (DisconnectReason reason : DisconnectReason.values()) {
                callback.call(stats.disconnects(reason), reason.label());
              }
            })
        .register(registry);

    GaugeWithCallback.builder()
        .name("herald_connections")
        .help("Open connections, by listener (http: the public port, h1, h2 and TLS; ingest: the TCP ingest port).")
        .labelNames("kind")
        .callback(
            callback -> {
              callback.call(stats.httpConnections(), "http");
              callback.call(stats.ingestConnections(), "ingest");
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("herald_streams")
        .help("Open event streams (GET /events), by protocol (h1: HTTP/1.1; h2: HTTP/2, over TLS or h2c).")
        .labelNames("protocol")
        .callback(
            callback -> {
              long http2 = stats.http2Streams();
              callback.call(stats.streams() - http2, "h1");
              callback.call(http2, "h2");
            })
        .register(registry);
    gauge("herald_open_mode", "1 when no token key is configured and anyone may read any topic, else 0.",
        () -> stats.isOpenMode() ? 1 : 0);
    // Cluster mode: scraped as 0 on a single node, whose figures never move.
    gauge("herald_redis_connected",
        "Cluster mode: 1 while this node's reader of the shared Redis stream reads it, 0 while it is disconnected (and on a single node).",
        () -> stats.redisConnected() ? 1 : 0);
    counter("herald_redis_disconnects", "Cluster mode: times this node's reader lost Redis (it resumes after the last id it read).",
        stats::redisDisconnects);
    counter("herald_redis_caught_up_events",
        "Cluster mode: events read after a reconnect that were published while this node was behind.",
        stats::redisCaughtUpEvents);
    gauge("herald_subscriptions", "Topics subscribed, summed over the open streams.", stats::subscriptions);
    gauge("herald_start_time_seconds", "When this server started, in seconds since the epoch.",
        () -> stats.startedMillis() / 1000.0);

    GaugeWithCallback.builder()
        .name("herald_history_events")
        .help("Events retained for replay.")
        .callback(callback -> callback.call(history.get().events()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("herald_history_bytes")
        .help("Bytes the retained events take.")
        .callback(callback -> callback.call(history.get().bytes()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("herald_history_earliest_age_seconds")
        .help("Age of the oldest retained event (how far back a client can resume); absent when none is retained.")
        .callback(
            callback -> {
              EventId earliest = EventId.parse(history.get().earliestId());
              if (earliest != null) {
                callback.call(Math.max(0, clockMillis.getAsLong() - earliest.millis()) / 1000.0);
              }
            })
        .register(registry);

    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    memoryGauge("jvm_memory_used_bytes", "JVM memory in use, by area.", memory, MemoryUsage::getUsed);
    memoryGauge("jvm_memory_committed_bytes", "JVM memory committed, by area.", memory, MemoryUsage::getCommitted);
    memoryGauge("jvm_memory_max_bytes", "JVM memory limit, by area (-1: none).", memory, MemoryUsage::getMax);
    GaugeWithCallback.builder()
        .name("herald_netty_direct_memory_used_bytes")
        .help("Direct memory Netty has reserved (PlatformDependent); absent when Netty does not track it.")
        .callback(
            callback -> {
              long used = PlatformDependent.usedDirectMemory();
              if (used >= 0) {
                callback.call(used);
              }
            })
        .register(registry);
    if (allocator instanceof ByteBufAllocatorMetricProvider provider) {
      ByteBufAllocatorMetric metric = provider.metric();
      GaugeWithCallback.builder()
          .name("herald_netty_allocator_used_bytes")
          .help("Memory held by Netty's buffer allocator, by kind of memory.")
          .labelNames("memory")
          .callback(
              callback -> {
                callback.call(metric.usedDirectMemory(), "direct");
                callback.call(metric.usedHeapMemory(), "heap");
              })
          .register(registry);
    }
  }

  /** The current figures in the Prometheus text format. */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private void counter(String name, String help, LongSupplier value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .callback(callback -> callback.call(value.getAsLong()))
        .register(registry);
  }

  private void gauge(String name, String help, DoubleSupplier value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(callback -> callback.call(value.getAsDouble()))
        .register(registry);
  }

  private void memoryGauge(String name, String help, MemoryMXBean memory, ToLongFunction<MemoryUsage> figure) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("area")
        .callback(
            callback -> {
              callback.call(figure.applyAsLong(memory.getHeapMemoryUsage()), "heap");
              callback.call(figure.applyAsLong(memory.getNonHeapMemoryUsage()), "nonheap");
            })
        .register(registry);
  }
}
