package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.config.HeraldConfig;
import io.herald.testing.H2TestClient;
import io.herald.testing.Http;
import io.herald.testing.SseTestClient;
import io.herald.testing.Tokens;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --cors-origin}: which pages may call {@code /events} and {@code /publish} from a browser. */
class CorsTest extends HeraldTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String APP = "https://app.example.com";

  private void startWithApp() {
    start(b -> b.corsOrigins(List.of(APP, "http://localhost:3000")));
  }

  @Test
  void anAllowedOriginIsEchoedWithCredentialsOnTheEventStreamAndPublish() throws Exception {
    startWithApp();
    try (SseTestClient client =
        SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of("Origin", APP))) {
      assertEquals(200, client.status());
      assertEquals(APP, client.header("Access-Control-Allow-Origin"));
      assertEquals("true", client.header("Access-Control-Allow-Credentials"));
      assertEquals("Origin", client.header("Vary"));
      client.awaitComment(c -> c.contains("herald"), WAIT);
    }
    HttpResponse<String> published =
        Http.send(herald.httpPort(), "POST", "/publish", Map.of("Origin", APP),
            "{\"topic\":\"t\",\"data\":1}");
    assertEquals(200, published.statusCode(), published.body());
    assertEquals(APP, published.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    assertEquals("true", published.headers().firstValue("Access-Control-Allow-Credentials").orElse(null));
  }

  @Test
  void unlistedNullAndAbsentOriginsGetNoCorsHeaders() throws Exception {
    startWithApp();
    for (Map<String, String> headers :
        List.of(Map.of("Origin", "https://evil.example.com"), Map.of("Origin", "null"),
            Map.of("Origin", "https://app.example.com.evil.example.com"), Map.<String, String>of())) {
      try (SseTestClient client = SseTestClient.open(herald.httpPort(), "/events?topic=t", headers)) {
        assertEquals(200, client.status(), "the stream itself is served; the browser hides it");
        assertNull(client.header("Access-Control-Allow-Origin"), headers.toString());
        assertNull(client.header("Access-Control-Allow-Credentials"), headers.toString());
      }
    }
    HttpResponse<String> published =
        Http.send(herald.httpPort(), "POST", "/publish", Map.of("Origin", "https://evil.example.com"),
            "{\"topic\":\"t\",\"data\":1}");
    assertTrue(published.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
  }

  @Test
  void aPreflightFromAnAllowedOriginIsAnsweredAndOthersAreRefused() throws Exception {
    startWithApp();
    HttpResponse<String> allowed =
        Http.send(herald.httpPort(), "OPTIONS", "/publish",
            Map.of("Origin", APP, "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization, content-type"), null);
    assertEquals(204, allowed.statusCode());
    assertEquals(APP, allowed.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    assertEquals("true", allowed.headers().firstValue("Access-Control-Allow-Credentials").orElse(null));
    assertEquals("GET, POST", allowed.headers().firstValue("Access-Control-Allow-Methods").orElse(null));
    assertEquals("Authorization, Content-Type, Last-Event-ID",
        allowed.headers().firstValue("Access-Control-Allow-Headers").orElse(null));
    assertEquals("600", allowed.headers().firstValue("Access-Control-Max-Age").orElse(null));
    assertEquals("Origin", allowed.headers().firstValue("Vary").orElse(null));

    for (String origin : List.of("https://evil.example.com", "null")) {
      HttpResponse<String> refused =
          Http.send(herald.httpPort(), "OPTIONS", "/events",
              Map.of("Origin", origin, "Access-Control-Request-Method", "GET"), null);
      assertEquals(403, refused.statusCode(), origin);
      assertTrue(refused.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), origin);
    }
    HttpResponse<String> wrongMethod =
        Http.send(herald.httpPort(), "OPTIONS", "/events",
            Map.of("Origin", APP, "Access-Control-Request-Method", "DELETE"), null);
    assertEquals(403, wrongMethod.statusCode());
  }

  @Test
  void http2AnswersTheSameWay() throws Exception {
    startWithApp();
    try (H2TestClient h2 = H2TestClient.connect(herald.httpPort())) {
      H2TestClient.Stream allowed = h2.get("/events?topic=t", Map.of("origin", APP));
      H2TestClient.Stream unlisted = h2.get("/events?topic=t", Map.of("origin", "https://evil.example.com"));
      H2TestClient.Stream absent = h2.get("/events?topic=t", Map.of());
      H2TestClient.Stream preflight =
          h2.send("OPTIONS", "/events", Map.of("origin", APP, "access-control-request-method", "GET"));
      H2TestClient.Stream refused =
          h2.send("OPTIONS", "/events", Map.of("origin", "null", "access-control-request-method", "GET"));
      h2.await(() -> allowed.status() == 200 && unlisted.status() == 200 && absent.status() == 200
          && preflight.status() != 0 && refused.status() != 0, WAIT, "the answers");
      assertEquals(APP, allowed.header("access-control-allow-origin"));
      assertEquals("true", allowed.header("access-control-allow-credentials"));
      assertEquals("Origin", allowed.header("vary"));
      assertNull(unlisted.header("access-control-allow-origin"));
      assertNull(absent.header("access-control-allow-origin"));
      assertEquals(204, preflight.status());
      assertEquals(APP, preflight.header("access-control-allow-origin"));
      assertEquals("GET, POST", preflight.header("access-control-allow-methods"));
      assertEquals(403, refused.status());
      assertNull(refused.header("access-control-allow-origin"));
    }
  }

  @Test
  void aWildcardIsOnlyForOpenModeAndCarriesNoCredentials() throws Exception {
    start(b -> b.corsOrigins(List.of("*")));
    try (SseTestClient client =
        SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of("Origin", APP))) {
      assertEquals("*", client.header("Access-Control-Allow-Origin"));
      assertNull(client.header("Access-Control-Allow-Credentials"));
    }
    IllegalArgumentException withTokens =
        assertThrows(IllegalArgumentException.class,
            () -> HeraldConfig.builder().jwtSecret(Tokens.SECRET).corsOrigins(List.of("*")).build());
    assertTrue(withTokens.getMessage().contains("--cors-origin"), withTokens.getMessage());
    for (String bad : List.of("https://app.example.com/", "app.example.com", "https://App.example.com",
        "null")) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class,
              () -> HeraldConfig.builder().corsOrigins(List.of(bad)).build(), bad);
      assertTrue(refused.getMessage().startsWith("--cors-origin"), refused.getMessage());
    }
  }
}
