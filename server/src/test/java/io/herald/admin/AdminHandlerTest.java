package io.herald.admin;

import io.herald.testing.EmbeddedHttp;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.metrics.HeraldStats;
import io.herald.metrics.PrometheusMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin routes' answers over HTTP/1.1, with readiness under the test's control. */
class AdminHandlerTest {
  private final AtomicBoolean serving = new AtomicBoolean(true);
  private final AtomicReference<String> notReady = new AtomicReference<>("starting or stopping");
  private EmbeddedChannel channel;

  @BeforeEach
  void setUp() {
    HeraldStats stats = new HeraldStats();
    PrometheusMetrics metrics =
        new PrometheusMetrics(
            stats,
            () -> new PrometheusMetrics.History(0, 0, null),
            ByteBufAllocator.DEFAULT,
            System::currentTimeMillis);
    channel =
        new EmbeddedChannel(
            new HttpServerCodec(),
            new HttpObjectAggregator(8192),
            new AdminHandler(stats, null, serving::get, notReady::get, metrics));
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  private String get(String path) {
    return EmbeddedHttp.exchange(channel, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
  }

  @Test
  void readyzIs503UntilReadyThen200AndHealthzIsUnchanged() {
    String starting = get("/readyz");
    assertTrue(starting.startsWith("HTTP/1.1 503 "), starting);
    assertTrue(starting.endsWith("\r\n\r\nnot ready: starting or stopping\n"), starting);
    assertTrue(get("/healthz").startsWith("HTTP/1.1 200 "), "healthz follows serving only");

    notReady.set(null);
    String isReady = get("/readyz");
    assertTrue(isReady.startsWith("HTTP/1.1 200 "), isReady);
    assertTrue(isReady.endsWith("\r\n\r\nready\n"), isReady);

    notReady.set("redis disconnected");
    String disconnected = get("/readyz");
    assertTrue(disconnected.startsWith("HTTP/1.1 503 "), disconnected);
    assertTrue(disconnected.endsWith("\r\n\r\nnot ready: redis disconnected\n"), disconnected);
    assertTrue(get("/healthz").startsWith("HTTP/1.1 200 "), "still live: only not ready");

    notReady.set("starting or stopping");
    serving.set(false);
    assertTrue(get("/readyz").startsWith("HTTP/1.1 503 "));
    String healthz = get("/healthz");
    assertTrue(healthz.startsWith("HTTP/1.1 503 ") && healthz.endsWith("stopping\n"), healthz);
  }

  @Test
  void metricsWithoutRetainedEventsOmitTheEarliestAge() {
    String metrics = get("/metrics");
    assertTrue(metrics.startsWith("HTTP/1.1 200 "), metrics);
    assertTrue(metrics.contains("herald_history_events 0"), metrics);
    assertTrue(!metrics.contains("herald_history_earliest_age_seconds "), metrics);
  }
}
