package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.Http;
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
 * with {@code proxy_read_timeout 2s}: events pass through unbuffered, and heartbeats keep a quiet
 * stream open past the read timeout that ends a stream without them.
 */
class NginxProxyTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void anEventPublishedThroughNginxArrivesAtOnceWithoutBuffering() throws Exception {
    try (TestHerald herald = TestHerald.start(b -> b.heartbeat(Duration.ofMillis(500)));
        Nginx nginx = Nginx.start(dir, herald.httpPort(), "2s");
        SseTestClient client =
            SseTestClient.open(nginx.port(), "/events?topic=proxied", Map.of())) {
      assertEquals(200, client.status(), nginx.errorLog());
      assertTrue(client.header("content-type").startsWith("text/event-stream"), client.header("content-type"));
      assertTrue(client.header("server").startsWith("nginx"), "the stream came through nginx");

      // One small event, awaited with a timeout: nginx passes it on as it arrives. (Turning
      // nginx's buffering back on does not make this fail: for a reader that keeps up, nginx
      // passes buffered data on as soon as Herald has nothing more to send. What
      // X-Accel-Buffering: no changes is that a slow reader's backlog stays in Herald's bounded
      // queue instead of nginx's memory and temp files.)
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
}
