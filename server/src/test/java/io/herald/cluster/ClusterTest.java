package io.herald.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.history.EventId;
import io.herald.testing.Http;
import io.herald.testing.IngestTestClient;
import io.herald.testing.RedisServer;
import io.herald.testing.SseTestClient;
import io.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode end to end: two Herald nodes on one real redis-server (installed from Debian's
 * packages when missing, started on a free loopback port in the test's dir, stopped after).
 */
class ClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path dir;
  private RedisServer redis;
  private final List<TestHerald> nodes = new ArrayList<>();

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start(dir);
  }

  @AfterEach
  void stopAll() {
    nodes.forEach(TestHerald::close);
    if (redis != null) {
      redis.close();
    }
  }

  private TestHerald node() {
    TestHerald node = TestHerald.start(b -> b.redis(redis.uri()));
    nodes.add(node);
    return node;
  }

  private static SseTestClient subscribe(TestHerald node, String topic, Map<String, String> headers)
      throws Exception {
    SseTestClient client = SseTestClient.open(node.httpPort(), "/events?topic=" + topic, headers);
    assertEquals(200, client.status());
    client.awaitComment(c -> c.contains("herald"), WAIT);
    return client;
  }


  @Test
  void anEventPublishedOnOneNodeReachesSubscribersOfEveryNodeWithTheIdRedisGaveIt()
      throws Exception {
    TestHerald a = node();
    TestHerald b = node();
    try (SseTestClient onA = subscribe(a, "news", Map.of());
        SseTestClient onB = subscribe(b, "news", Map.of());
        IngestTestClient ingest = new IngestTestClient(a.ingestPort())) {
      String id = ingest.publish("news", "\"from a\"");
      assertTrue(EventId.parse(id) != null, "a Redis stream id: " + id);
      SseTestClient.Event received = onB.awaitEvent(WAIT);
      assertEquals(id, received.id());
      assertEquals("from a", received.data());
      assertEquals(id, onA.awaitEvent(WAIT).id());

      HttpResponse<String> posted =
          Http.post(b.httpPort(), "/publish", "{\"topic\":\"news\",\"event\":\"note\",\"data\":\"from b\"}");
      assertEquals(200, posted.statusCode(), posted.body());
      String postedId = posted.body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
      SseTestClient.Event onASecond = onA.awaitEvent(WAIT);
      assertEquals(postedId, onASecond.id());
      assertEquals("note", onASecond.type());
      assertEquals("from b", onASecond.data());
      assertEquals(postedId, onB.awaitEvent(WAIT).id());
      assertTrue(EventId.parse(postedId).compareTo(EventId.parse(id)) > 0, "ids increase");
    }
  }

  @Test
  void aClientThatReadEventsOnOneNodeResumesOnAnotherWithExactlyTheMissedOnes() throws Exception {
    TestHerald a = node();
    TestHerald b = node();
    try (IngestTestClient ingest = new IngestTestClient(a.ingestPort());
        SseTestClient watcherOnB = subscribe(b, "demo", Map.of())) {
      List<String> seen;
      try (SseTestClient first = subscribe(a, "demo", Map.of())) {
        seen = ingest.publishNumbers("demo", 1, 3);
        assertEquals(seen, ids(first.awaitEvents(3, WAIT)));
      }
      List<String> missed = ingest.publishNumbers("demo", 4, 6);
      ingest.publishNumbers("elsewhere", 100, 102);
      // Node B has read all six from Redis (its own subscriber saw them) before the client moves.
      List<String> all = new ArrayList<>(seen);
      all.addAll(missed);
      assertEquals(all, ids(watcherOnB.awaitEvents(6, WAIT)));

      try (SseTestClient again = subscribe(b, "demo", Map.of("Last-Event-ID", seen.get(2)))) {
        assertEquals(missed, ids(again.awaitEvents(3, WAIT)));
        String live = ingest.publish("demo", "7");
        SseTestClient.Event next = again.awaitEvent(WAIT);
        assertEquals(live, next.id(), "the live event follows the replay, nothing in between");
        assertEquals("7", next.data());
      }
    }
  }

  @Test
  void aNodeStartedLaterReplaysWhatTheStreamRetainsAndResetsBeforeIt() throws Exception {
    TestHerald a = node();
    List<String> ids;
    try (IngestTestClient ingest = new IngestTestClient(a.ingestPort())) {
      ids = ingest.publishNumbers("demo", 1, 4);
    }
    TestHerald late = node();
    try (SseTestClient resumed = subscribe(late, "demo", Map.of("Last-Event-ID", ids.get(1)))) {
      assertEquals(ids.subList(2, 4), ids(resumed.awaitEvents(2, WAIT)));
    }
    try (SseTestClient tooOld = subscribe(late, "demo", Map.of("Last-Event-ID", "1-0"))) {
      SseTestClient.Event reset = tooOld.awaitEvent(WAIT);
      assertEquals("reset", reset.type());
      assertTrue(reset.data().contains("\"earliest\":\"" + ids.get(0) + "\""), reset.data());
    }
  }

  @Test
  void aNodeStartedLaterLoadsOnlyWhatItsHistoryKeepsAndReplaysOlderIdsFromRedis() throws Exception {
    TestHerald a = node();
    List<String> ids = new ArrayList<>();
    String padding = "x".repeat(300);
    try (IngestTestClient ingest = new IngestTestClient(a.ingestPort())) {
      for (int i = 0; i < 20; i++) {
        ids.add(ingest.publish("demo", "\"" + i + padding + "\""));
      }
    }
    TestHerald late =
        TestHerald.start(s -> s.redis(redis.uri()).ingestMaxLine(1024).historyBytes(2048));
    nodes.add(late);
    String stats = Http.get(late.adminPort(), "/stats").body();
    String earliest = stats.replaceAll("(?s).*\"earliestId\":\"([^\"]+)\".*", "$1");
    assertTrue(
        EventId.parse(earliest).compareTo(EventId.parse(ids.get(10))) > 0,
        "the late node holds only the newest few: " + stats);
    try (SseTestClient resumed = subscribe(late, "demo", Map.of("Last-Event-ID", ids.get(0)))) {
      assertEquals(ids.subList(1, 20), ids(resumed.awaitEvents(19, WAIT)));
    }
  }

  @Test
  void anIdOlderThanTheNodesHistoryIsReplayedFromRedisThenFromTheHistoryWithoutGapOrDuplicate()
      throws Exception {
    TestHerald a = node();
    // Node B keeps only a few events (by bytes); Redis keeps them all.
    TestHerald b = TestHerald.start(s -> s.redis(redis.uri()).ingestMaxLine(1024).historyBytes(2048));
    nodes.add(b);
    String padding = "x".repeat(300);
    List<String> ids = new ArrayList<>();
    try (IngestTestClient ingest = new IngestTestClient(a.ingestPort());
        SseTestClient watcherOnB = subscribe(b, "demo", Map.of())) {
      for (int i = 0; i < 20; i++) {
        ids.add(ingest.publish(i % 2 == 0 ? "demo" : "other", "\"" + i + padding + "\""));
      }
      List<String> demo = new ArrayList<>();
      for (int i = 0; i < 20; i += 2) {
        demo.add(ids.get(i));
      }
      assertEquals(demo, ids(watcherOnB.awaitEvents(10, WAIT)), "B has read everything");
      String stats = Http.get(b.adminPort(), "/stats").body();
      String earliest = stats.replaceAll("(?s).*\"earliestId\":\"([^\"]+)\".*", "$1");
      assertTrue(
          EventId.parse(earliest).compareTo(EventId.parse(ids.get(4))) > 0,
          "B's own history starts after the resumed id and a few more: " + stats);

      try (SseTestClient resumed = subscribe(b, "demo", Map.of("Last-Event-ID", ids.get(2)))) {
        assertEquals(demo.subList(2, 10), ids(resumed.awaitEvents(8, WAIT)));
        String live = ingest.publish("demo", "\"live\"");
        SseTestClient.Event next = resumed.awaitEvent(WAIT);
        assertEquals(live, next.id(), "nothing between the Redis part, the history part and live");
      }
      try (SseTestClient tooOld = subscribe(b, "demo", Map.of("Last-Event-ID", "1-0"))) {
        SseTestClient.Event reset = tooOld.awaitEvent(WAIT);
        assertEquals("reset", reset.type(), "Redis does not have 1-0: " + reset);
        assertTrue(reset.data().contains("\"earliest\":\"" + ids.get(0) + "\""), reset.data());
        String live = ingest.publish("demo", "\"after reset\"");
        assertEquals(live, tooOld.awaitEvent(WAIT).id());
      }
    }
  }

  @Test
  void whileRedisIsUnreachablePublishersGetAnErrorNotAnAckAndReadersResumeAfterIt()
      throws Exception {
    TestHerald a = node();
    TestHerald b = node();
    try (SseTestClient onB = subscribe(b, "t", Map.of());
        IngestTestClient ingest = new IngestTestClient(a.ingestPort())) {
      String before = ingest.publish("t", "\"before\"");
      assertEquals(before, onB.awaitEvent(WAIT).id());

      redis.stop();
      ingest.line("{\"topic\":\"t\",\"data\":\"while down\"}");
      String reply = ingest.reply();
      assertTrue(reply.startsWith("{\"error\":") && reply.contains("not stored"), reply);
      HttpResponse<String> posted = Http.post(a.httpPort(), "/publish", "{\"topic\":\"t\",\"data\":1}");
      assertEquals(503, posted.statusCode(), posted.body());
      assertTrue(posted.body().contains("not stored"), posted.body());

      redis.restart();
      String after = null;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (after == null) { // Lettuce reconnects in the background; until then, errors
        ingest.line("{\"topic\":\"t\",\"data\":\"after\"}");
        String answer = ingest.reply();
        if (answer.startsWith("{\"id\":\"")) {
          after = IngestTestClient.idOf(answer);
        } else {
          // "not confirmed" when a command left just before the connection broke
          assertTrue(answer.contains("not stored") || answer.contains("not confirmed"), answer);
          assertTrue(System.nanoTime() < deadline, "Redis is back but publishing still fails: " + answer);
        }
      }
      SseTestClient.Event next = onB.awaitEvent(WAIT);
      assertEquals(after, next.id(), "nothing refused was delivered; the reader came back");
      assertEquals("after", next.data());
    }
  }

  @Test
  void readyzIs503WhileTheNodesRedisIsDownOrUnresponsiveAnd200OnceItAnswersAgain() throws Exception {
    TestHerald a = node();
    assertReadyz(a, 200, "ready\n");

    redis.stop();
    awaitReadyz(a, 503, "not ready: redis disconnected\n");
    assertEquals(200, Http.get(a.adminPort(), "/healthz").statusCode(), "still live, only not ready");

    redis.restart();
    awaitReadyz(a, 200, "ready\n");

    redis.pause(); // SIGSTOP: the connection stays open but nothing answers
    try {
      awaitReadyz(a, 503, "not ready: redis disconnected\n");
    } finally {
      redis.unpause();
    }
    awaitReadyz(a, 200, "ready\n");
    try (SseTestClient onA = subscribe(a, "back", Map.of());
        IngestTestClient ingest = new IngestTestClient(a.ingestPort())) {
      String id = ingest.publish("back", "\"after\"");
      assertEquals(id, onA.awaitEvent(WAIT).id(), "ready again means streams work again");
    }
  }

  private static void assertReadyz(TestHerald node, int status, String body) throws Exception {
    HttpResponse<String> readyz = Http.get(node.adminPort(), "/readyz");
    assertEquals(status, readyz.statusCode(), readyz.body());
    assertEquals(body, readyz.body());
  }

  /** Polls {@code /readyz} until it answers {@code status} with {@code body}, failing at WAIT. */
  private static void awaitReadyz(TestHerald node, int status, String body) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    HttpResponse<String> readyz = Http.get(node.adminPort(), "/readyz");
    while (readyz.statusCode() != status || !readyz.body().equals(body)) {
      assertTrue(
          System.nanoTime() < deadline,
          "/readyz still " + readyz.statusCode() + " " + readyz.body() + " after " + WAIT);
      readyz = Http.get(node.adminPort(), "/readyz"); // each request is the wait between checks
    }
  }

  @Test
  void aRedisRestartWhileEventsFlowLosesNoAcknowledgedEventOnAnyNodeAndIsShownInStats()
      throws Exception {
    redis.close();
    redis = RedisServer.startWithAppendOnlyFile(dir.resolve("aof"));
    TestHerald a = node();
    TestHerald b = node();
    List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger refused = new AtomicInteger();
    AtomicBoolean publishing = new AtomicBoolean(true);
    try (SseTestClient onA = subscribe(a, "flow", Map.of());
        SseTestClient onB = subscribe(b, "flow", Map.of());
        IngestTestClient ingest = new IngestTestClient(a.ingestPort())) {
      CompletableFuture<Void> publisher =
          CompletableFuture.runAsync(
              () -> {
                try {
                  for (int i = 0; publishing.get(); i++) {
                    ingest.line("{\"topic\":\"flow\",\"data\":" + i + "}");
                    String answer = ingest.reply();
                    if (answer.startsWith("{\"id\":\"")) {
                      acknowledged.add(IngestTestClient.idOf(answer));
                    } else {
                      assertTrue(answer.contains("not stored") || answer.contains("not confirmed"), answer);
                      refused.incrementAndGet();
                    }
                  }
                } catch (Exception e) {
                  throw new CompletionException(e);
                }
              });
      awaitCount(acknowledged, 20, publisher);
      redis.stop(); // SIGTERM: Redis writes its append-only file out
      redis.restart();
      awaitCount(acknowledged, acknowledged.size() + 20, publisher);
      publishing.set(false);
      publisher.get(WAIT.toSeconds(), TimeUnit.SECONDS);

      List<String> expected = List.copyOf(acknowledged);
      for (SseTestClient subscriber : List.of(onA, onB)) {
        List<String> received = new ArrayList<>();
        String last = expected.get(expected.size() - 1);
        while (received.isEmpty() || !received.get(received.size() - 1).equals(last)) {
          received.add(subscriber.awaitEvent(WAIT).id());
        }
        // A publish refused while Redis went away may still have been stored (at least once):
        // it may be received, but only in its place.
        assertTrue(received.containsAll(expected), "every acknowledged event arrived: " + received);
        for (int i = 1; i < received.size(); i++) {
          assertTrue(
              EventId.parse(received.get(i)).compareTo(EventId.parse(received.get(i - 1))) > 0,
              "in order, no duplicate: " + received.get(i - 1) + " then " + received.get(i));
        }
        assertTrue(received.size() <= expected.size() + refused.get(), "nothing else: " + received);
      }
      String stats = Http.get(b.adminPort(), "/stats").body();
      assertTrue(stats.contains("\"redis\":{\"connected\":true,\"disconnects\":1,"), stats);
      String metrics = Http.get(b.adminPort(), "/metrics").body();
      assertTrue(metrics.contains("herald_redis_disconnects_total 1.0"), metrics);
      assertTrue(metrics.contains("herald_redis_connected 1.0"), metrics);
    }
  }

  @Test
  void aPublishRedisDidNotAnswerInTimeIsNotConfirmedNotFailedAndIsDeliveredOnceRedisAnswers()
      throws Exception {
    TestHerald a = node();
    TestHerald b = node();
    try (SseTestClient onB = subscribe(b, "late", Map.of());
        IngestTestClient ingest = new IngestTestClient(a.ingestPort()).replyTimeout(WAIT)) {
      redis.pause();
      String answer;
      try {
        ingest.line("{\"topic\":\"late\",\"data\":\"slow\"}");
        answer = ingest.reply(); // after the 3 s command timeout
      } finally {
        redis.unpause();
      }
      assertTrue(
          answer.startsWith("{\"error\":") && answer.contains("not confirmed")
              && answer.contains("at least once"),
          answer);
      SseTestClient.Event event = onB.awaitEvent(WAIT);
      assertEquals("slow", event.data(), "Redis stored it after all: delivered, at least once");
    }
  }

  /** Waits until {@code list} holds {@code n} entries, failing at once if {@code worker} failed. */
  private static void awaitCount(List<?> list, int n, CompletableFuture<?> worker) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (list.size() < n) {
      if (worker.isDone()) {
        worker.get(); // rethrows its failure
        throw new AssertionError("the publisher stopped at " + list.size() + " of " + n);
      }
      assertTrue(System.nanoTime() < deadline, "only " + list.size() + " of " + n + " in " + WAIT);
      Thread.onSpinWait(); // polling a counter the publisher thread fills, bounded by the deadline
    }
  }

  private static List<String> ids(List<SseTestClient.Event> events) {
    List<String> ids = new ArrayList<>();
    for (SseTestClient.Event event : events) {
      ids.add(event.id());
    }
    return ids;
  }
}
