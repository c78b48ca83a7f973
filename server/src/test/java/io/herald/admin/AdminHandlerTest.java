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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin routes' answers over HTTP/1.1, with readiness under the test's control. */
class AdminHandlerTest {
  private final AtomicBoolean serving = new AtomicBoolean(true);
  private final AtomicBoolean ready = new AtomicBoolean(false);
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
            new AdminHandler(stats, null, serving::get, ready::get, metrics));
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
    String notReady = get("/readyz");
    assertTrue(notReady.startsWith("HTTP/1.1 503 "), notReady);
    assertTrue(notReady.endsWith("\r\n\r\nnot ready\n"), notReady);
    assertTrue(get("/healthz").startsWith("HTTP/1.1 200 "), "healthz follows serving only");

    ready.set(true);
    String isReady = get("/readyz");
    assertTrue(isReady.startsWith("HTTP/1.1 200 "), isReady);
    assertTrue(isReady.endsWith("\r\n\r\nready\n"), isReady);

    ready.set(false);
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
