package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.sse.DisconnectReason;
import io.herald.testing.H2TestClient;
import io.herald.testing.Http;
import io.herald.testing.SseTestClient;
import io.herald.testing.Tokens;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Subscriber and publisher authentication against a real Herald with an HS256 secret and a
 * publish key: what a token allows, and every way a request without the right credential is
 * refused before anything is delivered.
 */
class AuthTest extends HeraldTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String PUBLISH_KEY = "publish-key-0123456789";

  @BeforeEach
  void startSecured() {
    // --allow-http-publish off: a configured credential alone enables POST /publish.
    start(b -> b.jwtSecret(Tokens.SECRET).publishKey(PUBLISH_KEY).allowHttpPublish(false));
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  private SseTestClient subscribe(String pathAndQuery, Map<String, String> headers) throws Exception {
    return SseTestClient.open(herald.httpPort(), pathAndQuery, headers);
  }

  private String publish(String topic, int n) throws Exception {
    HttpResponse<String> reply =
        Http.post(herald.httpPort(), "/publish",
            "{\"topic\":\"" + topic + "\",\"data\":{\"n\":" + n + "}}", bearer(PUBLISH_KEY));
    assertEquals(200, reply.statusCode(), reply.body());
    return reply.body();
  }

  private static String id(String reply) {
    return reply.substring(reply.indexOf(":\"") + 2, reply.lastIndexOf('"'));
  }

  private void assertRefused(int status, String reasonPart, String pathAndQuery, Map<String, String> headers)
      throws Exception {
    try (SseTestClient client = subscribe(pathAndQuery, headers)) {
      assertEquals(status, client.status(), pathAndQuery + " " + headers.keySet() + ": " + client.body());
      assertTrue(client.body().contains(reasonPart), client.body());
      if (status == 401) {
        assertEquals("Bearer realm=\"herald\"", client.header("WWW-Authenticate"));
      }
    }
  }

  @Test
  void aUserWithoutATopicParameterReadsTheirOwnTopic() throws Exception {
    try (SseTestClient client = subscribe("/events", bearer(Tokens.hs256("42")))) {
      assertEquals(200, client.status());
      publish("user.43", 0);
      publish("user.42", 1);
      assertEquals("{\"n\":1}", client.awaitEvent(WAIT).data());
    }
  }

  @Test
  void theTokenCookieWorksLikeTheBearerHeader() throws Exception {
    Map<String, String> cookie = Map.of("Cookie", "theme=dark; herald_token=" + Tokens.hs256("42"));
    try (SseTestClient client = subscribe("/events?topic=user.42", cookie)) {
      assertEquals(200, client.status());
      publish("user.42", 1);
      assertEquals("{\"n\":1}", client.awaitEvent(WAIT).data());
    }
  }

  @Test
  void theTopicsClaimGrantsExactTopicsAndTrailingWildcards() throws Exception {
    String token = Tokens.hs256("42", c -> c.claim("topics", List.of("news", "chat.*")));
    try (SseTestClient client =
        subscribe("/events?topic=news&topic=chat.room1&topic=user.42", bearer(token))) {
      assertEquals(200, client.status());
      publish("chat.room1", 1);
      publish("news", 2);
      assertEquals(2, client.awaitEvents(2, WAIT).size());
    }
    assertRefused(403, "newsroom", "/events?topic=newsroom", bearer(token));
    assertRefused(403, "chat", "/events?topic=chat", bearer(token));
  }

  @Test
  void anotherUsersTopicIs403WithAReason() throws Exception {
    String user43 = Tokens.hs256("43");
    assertRefused(403, "user.42", "/events?topic=user.42", bearer(user43));
    // One refused topic refuses the whole stream, even beside an allowed one.
    assertRefused(403, "user.42", "/events?topic=user.43&topic=user.42", bearer(user43));
  }

  @Test
  void replayChecksTheSameRightsAsLiveEvents() throws Exception {
    String first = id(publish("user.42", 1));
    String second = id(publish("user.42", 2));
    Map<String, String> thief = new LinkedHashMap<>(bearer(Tokens.hs256("43")));
    thief.put("Last-Event-ID", first);
    assertRefused(403, "user.42", "/events?topic=user.42", thief);
    Map<String, String> owner = new LinkedHashMap<>(bearer(Tokens.hs256("42")));
    owner.put("Last-Event-ID", first);
    try (SseTestClient client = subscribe("/events?topic=user.42", owner)) {
      assertEquals(200, client.status());
      SseTestClient.Event replayed = client.awaitEvent(WAIT);
      assertEquals(second, replayed.id());
      assertEquals("{\"n\":2}", replayed.data());
    }
  }

  @Test
  void aMissingTokenIs401WithAReason() throws Exception {
    assertRefused(401, "token is required", "/events?topic=user.42", Map.of());
    assertRefused(401, "token is required", "/events", Map.of("Cookie", "other=1"));
  }

  @Test
  void everyKindOfBadTokenIs401() throws Exception {
    Instant now = Instant.now();
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("alg none", Tokens.none(Tokens.claims("42").build()));
    bad.put("wrong secret",
        Tokens.hs256("another-secret-0123456789-abcdefghij", Tokens.claims("42").build()));
    bad.put("expired",
        Tokens.hs256("42", c -> c.expirationTime(Date.from(now.minus(Duration.ofHours(1))))));
    bad.put("not yet valid",
        Tokens.hs256("42", c -> c.notBeforeTime(Date.from(now.plus(Duration.ofHours(1))))));
    bad.put("oversized", Tokens.hs256("42", c -> c.claim("pad", "x".repeat(9000))));
    bad.put("garbage", "not.a.token");
    for (Map.Entry<String, String> token : bad.entrySet()) {
      try (SseTestClient client = subscribe("/events?topic=user.42", bearer(token.getValue()))) {
        assertEquals(401, client.status(), token.getKey() + ": " + client.body());
        assertTrue(client.body().contains("token"), token.getKey() + ": " + client.body());
      }
    }
    assertRefused(401, "Bearer", "/events?topic=user.42", Map.of("Authorization", "Basic eDp5"));
  }

  @Test
  void aQueryTokenIsRefusedUnlessAllowed() throws Exception {
    String token = Tokens.hs256("42");
    assertRefused(401, "query string", "/events?topic=user.42&token=" + token, Map.of());
    start(b -> b.jwtSecret(Tokens.SECRET).allowQueryToken(true));
    try (SseTestClient client = subscribe("/events?topic=user.42&token=" + token, Map.of())) {
      assertEquals(200, client.status());
    }
  }

  @Test
  void aStreamEndsWhenItsTokenExpires() throws Exception {
    // A token valid for one more second: the stream opens, then Herald ends it at expiry.
    String token =
        Tokens.hs256("42", c -> c.expirationTime(Date.from(Instant.now().plusSeconds(1))));
    try (SseTestClient client = subscribe("/events", bearer(token))) {
      assertEquals(200, client.status());
      client.awaitClosed(WAIT);
    }
    Conditions.await(
        () -> herald.server().stats().disconnects(DisconnectReason.TOKEN_EXPIRED) == 1,
        WAIT,
        "the expiry to be counted");
  }

  @Test
  void http2RequestsAreCheckedTheSameWay() throws Exception {
    try (H2TestClient h2 = H2TestClient.connect(herald.httpPort())) {
      H2TestClient.Stream none = h2.get("/events", Map.of());
      H2TestClient.Stream theirs = h2.get("/events?topic=user.42", bearer(Tokens.hs256("43")));
      H2TestClient.Stream mine = h2.get("/events", bearer(Tokens.hs256("42")));
      h2.await(() -> none.isEnded() && theirs.isEnded() && mine.status() == 200, WAIT, "answers");
      assertEquals(401, none.status());
      assertEquals(403, theirs.status());
      assertTrue(theirs.body().contains("user.42"), theirs.body());
      publish("user.42", 1);
      h2.await(() -> mine.events().size() == 1, WAIT, "the event");
    }
  }

  @Test
  void publishingNeedsTheKeyOrATokenWithAPublishClaim() throws Exception {
    int port = herald.httpPort();
    String body = "{\"topic\":\"user.42\",\"data\":1}";
    HttpResponse<String> none = Http.post(port, "/publish", body);
    assertEquals(401, none.statusCode(), none.body());
    assertTrue(none.headers().firstValue("WWW-Authenticate").isPresent());
    assertEquals(401, Http.post(port, "/publish", body, bearer("wrong-key-0123456789")).statusCode());
    // A browser's cookie never authorizes a publish (CSRF), even with a valid publishing token.
    String publisher = Tokens.hs256("backend", c -> c.claim("publish", List.of("user.*")));
    assertEquals(401,
        Http.post(port, "/publish", body, Map.of("Cookie", "herald_token=" + publisher)).statusCode());

    assertEquals(200, Http.post(port, "/publish", body, bearer(PUBLISH_KEY)).statusCode());
    assertEquals(200, Http.post(port, "/publish", body, bearer(publisher)).statusCode());
    HttpResponse<String> outside =
        Http.post(port, "/publish",
            "[{\"topic\":\"user.42\",\"data\":1},{\"topic\":\"news\",\"data\":2}]", bearer(publisher));
    assertEquals(403, outside.statusCode());
    assertTrue(outside.body().contains("news"), outside.body());
    HttpResponse<String> subscriberToken = Http.post(port, "/publish", body, bearer(Tokens.hs256("42")));
    assertEquals(403, subscriberToken.statusCode());
    assertTrue(subscriberToken.body().contains("publish"), subscriberToken.body());
  }

  @Test
  void aRefusedPublishDeliversNothing() throws Exception {
    try (SseTestClient client = subscribe("/events", bearer(Tokens.hs256("42")))) {
      String publisher = Tokens.hs256("backend", c -> c.claim("publish", List.of("user.*")));
      HttpResponse<String> refused =
          Http.post(herald.httpPort(), "/publish",
              "[{\"topic\":\"user.42\",\"data\":1},{\"topic\":\"news\",\"data\":2}]", bearer(publisher));
      assertEquals(403, refused.statusCode());
      publish("user.42", 3);
      assertEquals("{\"n\":3}", client.awaitEvent(WAIT).data());
    }
  }

  @Test
  void openModeStillLetsAnyoneReadAnyTopic() throws Exception {
    start(b -> b);
    try (SseTestClient client = subscribe("/events?topic=user.42", Map.of())) {
      assertEquals(200, client.status());
      Http.post(herald.httpPort(), "/publish", "{\"topic\":\"user.42\",\"data\":1}");
      assertEquals("1", client.awaitEvent(WAIT).data());
    }
    HttpResponse<String> noTopic = Http.get(herald.httpPort(), "/events");
    assertEquals(400, noTopic.statusCode());
    assertEquals(
        "ok (open mode: no token key, anyone may read any topic)\n",
        Http.get(herald.adminPort(), "/healthz").body());
    assertTrue(Http.get(herald.adminPort(), "/stats").body().contains("\"access\":\"open\""));
    assertTrue(Http.get(herald.adminPort(), "/metrics").body().contains("\nherald_open_mode 1"));
  }

  @Test
  void aSecuredServerSaysSoOnItsAdminPort() throws Exception {
    assertEquals("ok\n", Http.get(herald.adminPort(), "/healthz").body());
    assertTrue(Http.get(herald.adminPort(), "/stats").body().contains("\"access\":\"token\""));
    assertTrue(Http.get(herald.adminPort(), "/metrics").body().contains("\nherald_open_mode 0"));
  }
}
