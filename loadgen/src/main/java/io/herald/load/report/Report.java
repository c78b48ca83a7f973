package io.herald.load.report;

import io.herald.load.client.Streams;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The results of a run: the latency distribution of the whole run (HdrHistogram, never
 * averaged), one row per second (streams, deliveries, p99), and the totals. Written as a table
 * for people, {@code summary.json} for scripts and {@code latency.hgrm} for HdrHistogram tools.
 */
public final class Report {
  private final Histogram latencyMicros = new Histogram(3);
  private final List<double[]> seconds = new ArrayList<>();
  private final StringBuilder json = new StringBuilder();
  private final StringBuilder table = new StringBuilder();
  private double warmupSeconds;
  private double receivePauseMs;
  private double readsPerWakeup = -1;
  private double toolLoopSeconds = -1;
  private double toolJitSeconds = -1;
  private double toolGcSeconds = -1;
  private int serverProcesses;
  private long reads = -1;
  private double serverCpuAfterWarmup = -1;
  private double toolCpuAfterWarmup = -1;
  private long deliveriesAfterWarmup;

  /** The first {@code seconds} of publishing were a warm-up: checked for loss, not timed. */
  public void warmup(double seconds) {
    this.warmupSeconds = seconds;
  }

  /**
   * CPU over the publishing after the warm-up, and the deliveries in that window: what a server
   * that has been running for a while costs per delivery (no JIT compilation, no start-up), the
   * same window for the server and the tool. Not called without a warm-up.
   *
   * @param serverCpuSeconds -1 without {@code --server-pid}
   */
  public void afterWarmup(double serverCpuSeconds, double toolCpuSeconds, long deliveries) {
    this.serverCpuAfterWarmup = serverCpuSeconds;
    this.toolCpuAfterWarmup = toolCpuSeconds;
    this.deliveriesAfterWarmup = deliveries;
  }

  /**
   * Of the tool's CPU while publishing: seconds its event loops (reading the streams), its JIT
   * compilers and its garbage collector spent — the last two part of the tool's cost, but a
   * warm-up or a heap-size matter rather than a cost per event.
   */
  public void toolCpuSplit(double loopSeconds, double jitSeconds, double gcSeconds) {
    this.toolLoopSeconds = loopSeconds;
    this.toolJitSeconds = jitSeconds;
    this.toolGcSeconds = gcSeconds;
  }

  /**
   * How the event loops read: the pause after a wake-up that found little ({@code
   * --receive-pause}, an upper bound on what it adds to each latency) and the I/O events they
   * handled per wake-up.
   */
  public void receiving(double pauseMs, double readsPerWakeup) {
    this.receivePauseMs = pauseMs;
    this.readsPerWakeup = readsPerWakeup;
  }

  /**
   * Reads the streams made over the whole run (with HTTP/2, DATA frames): with the deliveries,
   * how many events one read carried, which is what most of the tool's cost per delivery follows.
   */
  public void reads(long reads) {
    this.reads = reads;
  }

  /** How many processes the server's CPU and RSS are the sum of ({@code --server-pid}; 0: none). */
  public void serverProcesses(int processes) {
    this.serverProcesses = processes;
  }

  /** One progress interval: elapsed seconds, streams ready, the interval's latencies. */
  public void interval(double elapsedSeconds, long streams, Histogram interval) {
    latencyMicros.add(interval);
    seconds.add(new double[] {
      elapsedSeconds, streams, interval.getTotalCount(),
      interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(99) / 1000.0
    });
  }

  /** Fixes the totals of the run. */
  public void finish(
      Object options,
      Streams streams,
      long expected,
      long received,
      long lost,
      long duplicates,
      long outOfOrder,
      long published,
      long acknowledged,
      long refused,
      double publishSeconds,
      double toolCpuSeconds,
      double toolPublishingCpuSeconds,
      String transport,
      double serverCpuSeconds,
      long serverMaxRssKib) {
    Histogram connect = streams.connectMicros().getIntervalHistogram();
    double deliveriesPerSecond = publishSeconds > 0 ? received / publishSeconds : 0;
    json.setLength(0);
    json.append('{');
    field("transport", "\"" + transport + "\"");
    field("streamsReady", streams.ready());
    field("connectP50Ms", ms(connect, 50));
    field("connectP99Ms", ms(connect, 99));
    field("connectMaxMs", connect.getTotalCount() == 0 ? 0 : connect.getMaxValue() / 1000.0);
    field("rampLateMs", streams.rampLateMicros() < 0 ? -1 : streams.rampLateMicros() / 1000.0);
    json.append("\"failures\":{");
    boolean first = true;
    for (Map.Entry<String, Long> f : streams.failures().entrySet()) {
      json.append(first ? "" : ",").append('"').append(f.getKey()).append("\":").append(f.getValue());
      first = false;
    }
    json.append("},");
    field("reconnects", streams.reconnects());
    io.herald.load.client.Drops drops = streams.drops();
    if (drops != null) {
      json.append("\"drops\":{");
      boolean firstCause = true;
      for (Map.Entry<String, Long> d : drops.causes().entrySet()) {
        json.append(firstCause ? "" : ",").append('"').append(d.getKey()).append("\":").append(d.getValue());
        firstCause = false;
      }
      json.append("},");
      field("reopened", drops.reopened());
      field("streamsStillDown", drops.down());
      json.append("\"outages\":[");
      List<io.herald.load.client.Drops.Outage> outages = drops.outages();
      for (int i = 0; i < outages.size(); i++) {
        var o = outages.get(i);
        json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
            "{\"startMs\":%d,\"allBackAfterMs\":%d,\"maxDown\":%d}", o.startMillis(), o.backAfterMillis(), o.maxDown()));
      }
      json.append("],");
    }
    io.herald.load.client.Storm storm = streams.storm();
    if (storm != null) {
      field("stormStreams", storm.stormed());
      field("stormAwayMs", storm.awayMillis());
      field("stormStillBehind", storm.behind());
      field("stormAllBackMs", storm.allBackMillis());
    }
    field("eventsPublished", published);
    field("eventsAcknowledged", acknowledged);
    field("eventsRefused", refused);
    field("deliveriesExpected", expected);
    field("deliveriesReceived", received);
    field("lost", lost);
    field("duplicates", duplicates);
    field("outOfOrder", outOfOrder);
    field("resetEvents", streams.namedEvents());
    field("deliveriesPerSecond", Math.round(deliveriesPerSecond));
    field("warmupSeconds", round(warmupSeconds));
    field("latencySamples", latencyMicros.getTotalCount());
    field("latencyP50Ms", ms(latencyMicros, 50));
    field("latencyP90Ms", ms(latencyMicros, 90));
    field("latencyP99Ms", ms(latencyMicros, 99));
    field("latencyP999Ms", ms(latencyMicros, 99.9));
    field("latencyMaxMs", latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMaxValue() / 1000.0);
    field("toolCpuSeconds", round(toolCpuSeconds));
    // The same window as the server's figure, so the two can be compared.
    double toolPerMillion = perMillion(toolPublishingCpuSeconds, received);
    field("toolPublishingCpuSeconds", round(toolPublishingCpuSeconds));
    field("toolCpuSecondsPerMillionDeliveries", round(toolPerMillion));
    field("receivePauseMs", round(receivePauseMs));
    field("readsPerWakeup", round(readsPerWakeup));
    double perRead = reads > 0 ? (double) received / reads : -1;
    field("deliveriesPerRead", round(perRead));
    field("toolPublishingEventLoopSeconds", round(toolLoopSeconds));
    field("toolPublishingJitSeconds", round(toolJitSeconds));
    field("toolPublishingGcSeconds", round(toolGcSeconds));
    // The server's CPU while publishing (not while connecting), per million deliveries.
    double serverPerMillion = perMillion(serverCpuSeconds, received);
    field("serverCpuSeconds", round(serverCpuSeconds));
    field("serverCpuSecondsPerMillionDeliveries", round(serverPerMillion));
    field("serverCpuSecondsPerMillionAfterWarmup", round(perMillion(serverCpuAfterWarmup, deliveriesAfterWarmup)));
    field("toolCpuSecondsPerMillionAfterWarmup", round(perMillion(toolCpuAfterWarmup, deliveriesAfterWarmup)));
    field("deliveriesAfterWarmup", deliveriesAfterWarmup);
    field("serverMaxRssMiB", serverMaxRssKib < 0 ? -1 : serverMaxRssKib / 1024);
    field("serverProcesses", serverProcesses);
    json.append("\"perSecond\":[");
    for (int i = 0; i < seconds.size(); i++) {
      double[] row = seconds.get(i);
      json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
          "{\"t\":%.1f,\"streams\":%d,\"deliveries\":%d,\"p99Ms\":%.2f}", row[0], (long) row[1], (long) row[2], row[3]));
    }
    json.append("]}");

    table.setLength(0);
    row("streams ready", String.valueOf(streams.ready()));
    row("connect p50 / p99 / max", ms(connect, 50) + " / " + ms(connect, 99) + " / "
        + (connect.getTotalCount() == 0 ? 0 : connect.getMaxValue() / 1000.0) + " ms");
    row("last stream ready after its slot", streams.rampLateMicros() < 0 ? "-" : streams.rampLateMicros() / 1000.0 + " ms");
    row("stream failures", streams.failures().isEmpty() ? "none" : streams.failures().toString());
    row("reconnects (churn)", String.valueOf(streams.reconnects()));
    if (drops != null) {
      row("drops (--reconnect)", drops.causes().isEmpty() ? "none" : drops.causes().toString());
      row("reopened / still down", drops.reopened() + " / " + drops.down());
      for (var o : drops.outages()) {
        row("outage", "at " + o.startMillis() + " ms: " + o.maxDown() + " streams down, all back after "
            + o.backAfterMillis() + " ms");
      }
    }
    if (storm != null) {
      row("storm (--storm)", storm.stormed() + " streams away " + storm.awayMillis() + " ms, then reopened at once: "
          + (storm.allBackMillis() >= 0 ? "all caught up " + storm.allBackMillis() + " ms after the reopen"
              : storm.behind() + " still behind"));
    }
    row("events published", published + " (acknowledged " + acknowledged + ", refused " + refused + ")");
    row("deliveries", received + " of " + expected + " expected");
    row("lost / duplicated / late", lost + " / " + duplicates + " / " + outOfOrder);
    row("throughput", Math.round(deliveriesPerSecond) + " deliveries/s");
    row("latency samples", latencyMicros.getTotalCount()
        + (warmupSeconds > 0 ? " (events due in the first " + round(warmupSeconds) + " s: warm-up, not timed)" : ""));
    row("latency p50 / p90 / p99", ms(latencyMicros, 50) + " / " + ms(latencyMicros, 90) + " / " + ms(latencyMicros, 99) + " ms");
    row("latency p99.9 / max", ms(latencyMicros, 99.9) + " / "
        + (latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMaxValue() / 1000.0) + " ms");
    row("herald-load CPU", round(toolCpuSeconds) + " s; publishing " + round(toolPublishingCpuSeconds)
        + " s, " + round(toolPerMillion) + " s per million deliveries"
        + (toolJitSeconds >= 0 ? " (event loops " + round(toolLoopSeconds) + " s, JIT " + round(toolJitSeconds)
            + " s, GC " + round(toolGcSeconds) + " s)" : ""));
    row("event loops", round(readsPerWakeup) + " reads per wake-up, " + round(perRead)
        + " deliveries per read; pause after a small one "
        + round(receivePauseMs) + " ms (latencies include up to that)");
    if (serverCpuSeconds >= 0) {
      String summed = serverProcesses > 1 ? " (" + serverProcesses + " processes, summed)" : "";
      row("server CPU (publishing)",
          round(serverCpuSeconds) + " s, " + round(serverPerMillion) + " s per million deliveries" + summed);
      row("server RSS (max)", serverMaxRssKib / 1024 + " MiB" + summed);
    }
    if (deliveriesAfterWarmup > 0) {
      row("CPU after the warm-up", (serverCpuAfterWarmup >= 0
              ? "server " + round(perMillion(serverCpuAfterWarmup, deliveriesAfterWarmup)) + ", " : "")
          + "herald-load " + round(perMillion(toolCpuAfterWarmup, deliveriesAfterWarmup))
          + " s per million deliveries (" + deliveriesAfterWarmup + " deliveries)");
    }
  }

  /** CPU-seconds per million deliveries; -1 when either is unknown. */
  private static double perMillion(double cpuSeconds, long deliveries) {
    return cpuSeconds < 0 || deliveries <= 0 ? -1 : cpuSeconds / (deliveries / 1e6);
  }

  private void field(String name, Object value) {
    json.append('"').append(name).append("\":").append(value).append(',');
  }

  private void row(String name, String value) {
    table.append(String.format(Locale.ROOT, "%-26s %s%n", name, value));
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : round(h.getValueAtPercentile(percentile) / 1000.0);
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  public String summaryTable() {
    return table.toString();
  }

  /**
   * Writes {@code summary.json}, {@code latency.hgrm} (milliseconds) and {@code report.html} into
   * {@code dir}.
   */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("summary.json"), json + "\n");
    Files.writeString(dir.resolve("report.html"), HtmlReport.render(table.toString(), latencyMicros, seconds));
    try (PrintStream out = new PrintStream(Files.newOutputStream(dir.resolve("latency.hgrm")), true, StandardCharsets.UTF_8)) {
      latencyMicros.outputPercentileDistribution(out, 1000.0);
    }
  }
}
