package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.Http;
import io.herald.testing.IngestTestClient;
import io.herald.testing.SseTestClient;
import io.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PublishAndSubscribeTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private TestHerald herald;

  @BeforeEach
  void start() {
    herald = TestHerald.start();
  }

  @AfterEach
  void stop() {
    herald.close();
  }

  private SseTestClient subscribe(String query) throws Exception {
    SseTestClient client = SseTestClient.open(herald.httpPort(), "/events?" + query, Map.of());
    assertEquals(200, client.status());
    client.awaitComment(c -> c.contains("herald"), WAIT); // registered before we publish
    return client;
  }

  @Test
  void streamOpensAtOnceWithEventStreamHeadersRetryAndAComment() throws Exception {
    try (SseTestClient client = subscribe("topic=demo")) {
      assertEquals("text/event-stream; charset=utf-8", client.header("Content-Type"));
      assertEquals("no-cache, no-transform", client.header("Cache-Control"));
      assertEquals("no", client.header("X-Accel-Buffering"));
      assertEquals("keep-alive", client.header("Connection"));
      assertEquals("chunked", client.header("Transfer-Encoding"));
      assertNull(client.header("Content-Length"));
      assertEquals(3000, client.awaitRetry(WAIT));
    }
  }

  @Test
  void eventPublishedThroughIngestReachesEveryStreamOfItsTopicAndNoOther() throws Exception {
    try (SseTestClient a = subscribe("topic=demo");
        SseTestClient b = subscribe("topic=demo");
        SseTestClient other = subscribe("topic=other");
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      String id = ingest.publish("demo", "{\"hello\":\"world\"}");
      String otherId = ingest.publish("other", "\"for other\"");
      for (SseTestClient client : List.of(a, b)) {
        var event = client.awaitEvent(WAIT);
        assertEquals(id, event.id());
        assertEquals("{\"hello\":\"world\"}", event.data());
        assertEquals("message", event.type());
      }
      var first = other.awaitEvent(WAIT);
      assertEquals(otherId, first.id());
      assertEquals("for other", first.data());
    }
  }

  @Test
  void eventTypeAndMultilineDataArriveExactly() throws Exception {
    try (SseTestClient client = subscribe("topic=demo");
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      ingest.line("{\"topic\":\"demo\",\"event\":\"notification\",\"data\":\"one\\ntwo\\r\\nthree\\rfour\"}");
      assertTrue(ingest.reply().startsWith("{\"id\":"));
      var event = client.awaitEvent(WAIT);
      assertEquals("notification", event.type());
      assertEquals("one\ntwo\nthree\nfour", event.data());
    }
  }

  @Test
  void streamOnSeveralTopicsReceivesEachEventOnceInPublishOrder() throws Exception {
    try (SseTestClient client = subscribe("topic=a&topic=b&topic=a");
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      String a1 = ingest.publish("a", "1");
      String c1 = ingest.publish("c", "2");
      String b1 = ingest.publish("b", "3");
      var events = client.awaitEvents(2, WAIT);
      assertEquals(List.of(a1, b1), events.stream().map(e -> e.id()).toList());
      assertTrue(c1.compareTo(a1) != 0);
    }
  }

  @Test
  void publishOverHttpAcceptsOneEventOrAnArrayAndRepliesWithIds() throws Exception {
    try (SseTestClient client = subscribe("topic=demo")) {
      HttpResponse<String> one =
          Http.post(herald.httpPort(), "/publish", "{\"topic\":\"demo\",\"data\":{\"n\":1}}");
      assertEquals(200, one.statusCode());
      assertTrue(one.body().matches("\\{\"id\":\"\\d+-\\d+\"}\\n"), one.body());
      HttpResponse<String> many =
          Http.post(
              herald.httpPort(),
              "/publish",
              "[{\"topic\":\"demo\",\"data\":2},{\"topic\":\"demo\",\"event\":\"x\",\"data\":3}]");
      assertEquals(200, many.statusCode());
      assertTrue(many.body().matches("\\{\"ids\":\\[\"\\d+-\\d+\",\"\\d+-\\d+\"]}\\n"), many.body());
      var events = client.awaitEvents(3, WAIT);
      assertEquals(List.of("{\"n\":1}", "2", "3"), events.stream().map(e -> e.data()).toList());
    }
  }

  @Test
  void anArrayWithOneBadEventPublishesNothing() throws Exception {
    try (SseTestClient client = subscribe("topic=demo")) {
      HttpResponse<String> refused =
          Http.post(
              herald.httpPort(),
              "/publish",
              "[{\"topic\":\"demo\",\"data\":1},{\"topic\":\"bad topic\",\"data\":2}]");
      assertEquals(400, refused.statusCode());
      assertTrue(refused.body().contains("\"error\""), refused.body());
      Http.post(herald.httpPort(), "/publish", "{\"topic\":\"demo\",\"data\":\"after\"}");
      assertEquals("after", client.awaitEvent(WAIT).data());
    }
  }

  @Test
  void paddingCommentIsSentFirstWhenConfigured() throws Exception {
    herald.close();
    herald = TestHerald.start(b -> b.padding(2048));
    try (SseTestClient client =
        SseTestClient.open(herald.httpPort(), "/events?topic=demo", Map.of())) {
      String padding = client.awaitComment(c -> c.isBlank() && c.length() > 2000, WAIT);
      assertTrue(padding.length() >= 2000);
    }
  }
}
