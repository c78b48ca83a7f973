package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.sse.DisconnectReason;
import io.herald.testing.Http;
import io.herald.testing.IngestTestClient;
import io.herald.testing.Nginx;
import io.herald.testing.SseTestClient;
import io.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Herald behind a real nginx running the site config we ship ({@code scripts/nginx/herald.conf}),
 * with {@code proxy_read_timeout 2s}: events pass through at once, a slow reader's backlog stays
 * in Herald (nginx does not buffer streams), and heartbeats keep a quiet stream open past the
 * read timeout that ends a stream without them.
 */
class NginxProxyTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void anEventPublishedThroughNginxArrivesAtOnce() throws Exception {
    try (TestHerald herald = TestHerald.start(b -> b.heartbeat(Duration.ofMillis(500)));
        Nginx nginx = Nginx.start(dir, herald.httpPort(), "2s");
        SseTestClient client =
            SseTestClient.open(nginx.port(), "/events?topic=proxied", Map.of())) {
      assertEquals(200, client.status(), nginx.errorLog());
      assertTrue(client.header("content-type").startsWith("text/event-stream"), client.header("content-type"));
      assertTrue(client.header("server").startsWith("nginx"), "the stream came through nginx");

      // One small event, awaited with a timeout: nginx passes it on as it arrives. (A buffering
      // nginx passes it on too, for a reader that keeps up: what X-Accel-Buffering: no changes
      // is shown by the slow-reader test below, which fails with nginx's buffering forced on.)
      HttpResponse<String> published =
          Http.post(nginx.port(), "/publish", "{\"topic\":\"proxied\",\"data\":\"through nginx\"}");
      assertEquals(200, published.statusCode(), published.body());
      SseTestClient.Event event = client.awaitEvent(Duration.ofSeconds(5));
      assertEquals("through nginx", event.data());
      assertTrue(published.body().contains(event.id()), published.body() + " names " + event.id());
    }
  }

  @Test
  void heartbeatsKeepAQuietStreamOpenPastNginxsReadTimeout() throws Exception {
    try (TestHerald herald = TestHerald.start(b -> b.heartbeat(Duration.ofMillis(500)));
        Nginx nginx = Nginx.start(dir, herald.httpPort(), "2s");
        SseTestClient client = SseTestClient.open(nginx.port(), "/events?topic=quiet", Map.of())) {
      assertEquals(200, client.status(), nginx.errorLog());
      // Nine pings at 500 ms: the stream has been quiet (but for pings) for over 4 s, twice
      // nginx's read timeout.
      for (int i = 0; i < 9; i++) {
        client.awaitComment(c -> c.trim().equals("ping"), WAIT);
      }
      assertFalse(client.isClosed(), "nginx kept the stream open");
      Http.post(herald.httpPort(), "/publish", "{\"topic\":\"quiet\",\"data\":\"still here\"}");
      assertEquals("still here", client.awaitEvent(WAIT).data());
    }
  }

  @Test
  void withoutHeartbeatsNginxEndsAQuietStreamAtItsReadTimeout() throws Exception {
    // The control for the test above: the 2 s read timeout is real.
    try (TestHerald herald = TestHerald.start(b -> b.heartbeat(Duration.ofMinutes(10)));
        Nginx nginx = Nginx.start(dir, herald.httpPort(), "2s");
        SseTestClient client = SseTestClient.open(nginx.port(), "/events?topic=quiet", Map.of())) {
      assertEquals(200, client.status(), nginx.errorLog());
      client.awaitClosed(WAIT);
      assertTrue(nginx.errorLog().contains("upstream timed out"), nginx.errorLog());
    }
  }

  @Test
  void aSlowReaderBehindNginxIsCutOffByHeraldNotBufferedByNginx() throws Exception {
    // With its buffering on, nginx would read everything Herald sends into memory and temp
    // files (up to 1 GiB) for a reader that does not read; X-Accel-Buffering: no leaves the
    // backlog in Herald's bounded queue, which cuts the reader off.
    try (TestHerald herald = TestHerald.start(b -> b.queueEvents(256).queueBytes(64 * 1024));
        Nginx nginx = Nginx.start(dir, herald.httpPort(), "60s");
        SseTestClient healthy = SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of());
        SseTestClient stalled = SseTestClient.openStalled(nginx.port(), "/events?topic=t");
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      Conditions.await(() -> herald.server().stats().streams() == 2, WAIT, "both streams");
      // Rounds of 10 x 4 KB (less than a queue), each read by the healthy reader before the
      // next: a buffering nginx would keep up too, so only an unbuffered one falls behind.
      // ~16 MB in all: far beyond the socket buffers on both sides of nginx and its proxy
      // buffers, which is all an unbuffered nginx holds.
      String payload = "\"" + "x".repeat(4000) + "\"";
      StringBuilder round = new StringBuilder();
      for (int i = 0; i < 10; i++) {
        round.append("{\"topic\":\"t\",\"data\":").append(payload).append("}\n");
      }
      for (int sent = 0; sent < 4000; sent += 10) {
        ingest.pipeline(round.toString(), 10);
        healthy.awaitEvents(10, WAIT);
      }
      Conditions.await(
          () -> herald.server().stats().disconnects(DisconnectReason.SLOW_CONSUMER)
                  + herald.server().stats().disconnects(DisconnectReason.STALLED)
              == 1,
          WAIT,
          "Herald to cut off the slow reader behind nginx");
      assertEquals(1, herald.server().stats().streams(), "the healthy stream goes on");
    }
  }
}
