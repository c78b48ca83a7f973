package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.Http;
import io.herald.testing.IngestTestClient;
import io.herald.testing.SseTestClient;
import io.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics} on the admin port: exact counters in the Prometheus text format. */
class MetricsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int EVENTS = 7;
  private static final int SUBSCRIBERS = 3;

  /** A sample line: {@code name{label="value",...} value}, as the text format 0.0.4 defines it. */
  private static final Pattern SAMPLE =
      Pattern.compile(
          "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\""
              + "(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\")*})? (\\S+)");

  private static final Pattern TYPE =
      Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");

  private TestHerald herald;

  @BeforeEach
  void start() {
    herald = TestHerald.start();
  }

  @AfterEach
  void stop() {
    herald.close();
  }

  @Test
  void countsEveryEventPublishedAndEveryDeliveryExactly() throws Exception {
    List<SseTestClient> clients = new ArrayList<>();
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      for (int i = 0; i < SUBSCRIBERS; i++) {
        SseTestClient client = SseTestClient.open(herald.httpPort(), "/events?topic=demo", Map.of());
        clients.add(client);
        client.awaitComment(c -> c.contains("herald"), WAIT);
      }
      for (int i = 0; i < EVENTS; i++) {
        ingest.publish("demo", Integer.toString(i));
      }
      ingest.line("{\"topic\":\"bad topic\",\"data\":1}");
      assertTrue(ingest.reply().contains("\"error\""));
      for (SseTestClient client : clients) {
        assertEquals(EVENTS, client.awaitEvents(EVENTS, WAIT).size());
      }
      // Deliveries are counted per batch after the writes: wait for the count, never past it.
      Conditions.await(
          () -> value(scrape(), "herald_events_delivered_total") == EVENTS * SUBSCRIBERS,
          WAIT,
          "every delivery counted");

      // Delivery lag: one observation per event per event loop with a subscriber of its topic
      // (the test Herald has two, and its streams alternate between them).
      Conditions.await(
          () -> value(scrape(), "herald_delivery_lag_seconds_count") == EVENTS * 2,
          WAIT,
          "the delivery lag of every event on both loops");

      Map<String, Double> metrics = scrape();
      assertTrue(value(metrics, "herald_delivery_lag_seconds_sum") > 0);
      assertEquals(EVENTS * 2, value(metrics, "herald_delivery_lag_seconds_bucket{le=\"+Inf\"}"));
      assertEquals(EVENTS, value(metrics, "herald_events_published_total"));
      assertEquals(EVENTS * SUBSCRIBERS, value(metrics, "herald_events_delivered_total"));
      assertEquals(SUBSCRIBERS, value(metrics, "herald_streams{protocol=\"h1\"}"));
      assertEquals(SUBSCRIBERS, value(metrics, "herald_subscriptions"));
      assertEquals(SUBSCRIBERS, value(metrics, "herald_connections{kind=\"http\"}"));
      assertEquals(1, value(metrics, "herald_connections{kind=\"ingest\"}"));
      assertEquals(1, value(metrics, "herald_ingest_errors_total"));
      assertEquals(0, value(metrics, "herald_replay_requests_total"));
      assertEquals(0, value(metrics, "herald_replayed_events_total"));
      assertEquals(0, value(metrics, "herald_resets_total"));
      assertEquals(0, value(metrics, "herald_loop_overruns_total"));
      assertEquals(0, value(metrics, "herald_rejected_requests_total"));
      assertEquals(0, value(metrics, "herald_disconnects_total{reason=\"client-gone\"}"));
      assertEquals(EVENTS, value(metrics, "herald_history_events"));
      assertTrue(value(metrics, "herald_history_bytes") > 0);
      assertTrue(value(metrics, "herald_history_earliest_age_seconds") >= 0);
      assertTrue(value(metrics, "jvm_memory_used_bytes{area=\"heap\"}") > 0);
      assertTrue(metrics.containsKey("herald_netty_allocator_used_bytes{memory=\"direct\"}"), metrics::toString);

      // /stats reads the same counters and keeps its JSON shape.
      String stats = Http.get(herald.adminPort(), "/stats").body();
      assertTrue(stats.contains("\"events\":{\"in\":" + EVENTS + ",\"out\":" + EVENTS * SUBSCRIBERS + ","), stats);

      clients.remove(0).close();
      Conditions.await(
          () -> value(scrape(), "herald_disconnects_total{reason=\"client-gone\"}") == 1,
          WAIT,
          "the closed stream counted as client-gone");
      assertEquals(SUBSCRIBERS - 1, value(scrape(), "herald_streams{protocol=\"h1\"}"));
    } finally {
      for (SseTestClient client : clients) {
        client.close();
      }
    }
  }

  @Test
  void streamsAreCountedByProtocol() throws Exception {
    try (io.herald.testing.H2TestClient h2 = io.herald.testing.H2TestClient.connect(herald.httpPort());
        SseTestClient h1 = SseTestClient.open(herald.httpPort(), "/events?topic=p", Map.of())) {
      io.herald.testing.H2TestClient.Stream a = h2.get("/events?topic=p", Map.of());
      io.herald.testing.H2TestClient.Stream b = h2.get("/events?topic=q", Map.of());
      h2.await(() -> a.body().contains(": herald") && b.body().contains(": herald"), WAIT, "two h2 streams");
      Conditions.await(() -> value(scrape(), "herald_streams{protocol=\"h2\"}") == 2, WAIT, "two h2 streams counted");
      assertEquals(1, value(scrape(), "herald_streams{protocol=\"h1\"}"));
    }
    Conditions.await(
        () -> value(scrape(), "herald_streams{protocol=\"h2\"}") == 0
            && value(scrape(), "herald_streams{protocol=\"h1\"}") == 0,
        WAIT,
        "closed streams uncounted");
  }

  @Test
  void everyLineIsACommentOrASampleOfATypedMetricFamily() throws Exception {
    HttpResponse<String> response = Http.get(herald.adminPort(), "/metrics");
    assertEquals(200, response.statusCode());
    assertTrue(
        response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
        response.headers().toString());
    parse(response.body()); // asserts the format
  }

  /** Reasons of every DisconnectReason appear as a label, so a dashboard never misses a series. */
  @Test
  void disconnectsAreLabelledWithEveryReason() throws Exception {
    Map<String, Double> metrics = scrape();
    for (io.herald.sse.DisconnectReason reason : io.herald.sse.DisconnectReason.values()) {
      assertEquals(0, value(metrics, "herald_disconnects_total{reason=\"" + reason.label() + "\"}"));
    }
  }

  private Map<String, Double> scrape() {
    try {
      return parse(Http.get(herald.adminPort(), "/metrics").body());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static double value(Map<String, Double> metrics, String series) {
    Double value = metrics.get(series);
    if (value == null) {
      throw new AssertionError("no series " + series + " in " + metrics.keySet());
    }
    return value;
  }

  /**
   * Parses the text format strictly: {@code # HELP} and {@code # TYPE} comments, and samples
   * whose family (the name less a counter's {@code _total}, or a histogram's {@code _bucket},
   * {@code _sum} or {@code _count}) had its {@code # TYPE} line first.
   */
  private static Map<String, Double> parse(String text) {
    assertTrue(text.endsWith("\n"), "ends with a newline");
    Map<String, Double> samples = new LinkedHashMap<>();
    Set<String> typed = new HashSet<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# HELP ")) {
        continue;
      }
      if (line.startsWith("#")) {
        Matcher type = TYPE.matcher(line);
        assertTrue(type.matches(), "a # TYPE line: " + line);
        assertTrue(typed.add(type.group(1)), "one # TYPE line per family: " + line);
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      assertTrue(sample.matches(), "a sample line: " + line);
      String name = sample.group(1);
      String family = name.replaceFirst("_(total|bucket|sum|count)$", "");
      assertTrue(typed.contains(name) || typed.contains(family), "typed before its samples: " + line);
      String series = name + (sample.group(2) == null ? "" : sample.group(2));
      assertTrue(
          samples.put(series, Double.parseDouble(sample.group(3))) == null, "one sample per series: " + line);
    }
    assertTrue(samples.containsKey("herald_events_published_total"), samples::toString);
    return samples;
  }
}
