package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.fanout.ResumeLine;
import io.herald.testing.IngestTestClient;
import io.herald.testing.SseTestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ReplayTest extends HeraldTest {
  private static final Duration WAIT = Duration.ofSeconds(15);



  @Test
  void replaysMissedEventsAfterLastEventIdWithoutGapOrDuplicate() throws Exception {
    start();
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      List<String> seen;
      try (SseTestClient first = subscribed("topic=demo", Map.of())) {
        seen = ingest.publishNumbers("demo", 1, 3);
        assertEquals(seen, ids(first.awaitEvents(3, WAIT)));
      }
      List<String> missed = ingest.publishNumbers("demo", 4, 6);
      ingest.publishNumbers("elsewhere", 100, 102);
      try (SseTestClient again = subscribed("topic=demo", Map.of("Last-Event-ID", seen.get(2)))) {
        assertEquals(missed, ids(again.awaitEvents(3, WAIT)));
        String live = ingest.publish("demo", "7");
        var next = again.awaitEvent(WAIT);
        assertEquals(live, next.id());
        assertEquals("7", next.data());
      }
    }
  }

  /** Each client gets exactly {@code missed} of topic demo, then the next live event. */
  private void eachGetsWhatItMissedThenLive(
      List<SseTestClient> back, List<String> missed, IngestTestClient ingest) throws Exception {
    for (SseTestClient client : back) {
      assertEquals(missed, ids(client.awaitEvents(missed.size(), WAIT)));
    }
    String live = ingest.publish("demo", "\"live\"");
    for (SseTestClient client : back) {
      assertEquals(live, client.awaitEvent(WAIT).id());
    }
  }

  private static void closeAll(List<SseTestClient> clients) throws java.io.IOException {
    for (SseTestClient client : clients) {
      client.close();
    }
  }

  @Test
  void clientsResumingBeyondTheAdmissionBurstWaitTheirTurnAndEachGetsExactlyWhatItMissed()
      throws Exception {
    // One loop admitting 100 connections a second: 64 at once, then one every 10 ms.
    start(b -> b.eventLoops(1).admissionRate(100));
    int clients = 100;
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      List<String> seen = ingest.publishNumbers("demo", 1, 2);
      List<String> missed = ingest.publishNumbers("demo", 3, 5);
      List<SseTestClient> back = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < clients; i++) {
          back.add(subscribed("topic=demo", Map.of("Last-Event-ID", seen.get(1))));
        }
        eachGetsWhatItMissedThenLive(back, missed, ingest);
      } finally {
        closeAll(back);
      }
    }
  }

  @Test
  void clientsResumingBeyondTheResumeBurstWaitTheirTurnAndEachGetsExactlyWhatItMissed()
      throws Exception {
    // One loop starting 50 resumptions a second: 64 at once, then one every 20 ms.
    start(b -> b.eventLoops(1).resumeRate(50));
    int clients = ResumeLine.BURST + 16;
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      List<String> seen = ingest.publishNumbers("demo", 1, 2);
      List<String> missed = ingest.publishNumbers("demo", 3, 5);
      List<SseTestClient> back = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < clients; i++) {
          // All asked before any is read: the last 16 wait their turn for their heads.
          back.add(
              SseTestClient.openStalled(
                  herald.httpPort(), "/events?topic=demo&lastEventId=" + seen.get(1)));
        }
        for (SseTestClient client : back) {
          assertEquals(200, client.resume().status());
        }
        eachGetsWhatItMissedThenLive(back, missed, ingest);
      } finally {
        closeAll(back);
      }
    }
  }

  @Test
  void aNewStreamNeverWaitsBehindResumedStreamsWaitingTheirTurn() throws Exception {
    // One resumption a second after the burst: 40 left waiting take 40 s, longer than WAIT.
    // One event loop takes connections in arrival order, and every resumption's request was
    // sent before the new stream connected: had the new stream queued behind them, it could
    // not have its head and an event within WAIT.
    start(b -> b.eventLoops(1).resumeRate(1));
    List<SseTestClient> back = new java.util.ArrayList<>();
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      String seen = ingest.publish("demo", "1");
      for (int i = 0; i < ResumeLine.BURST + 40; i++) {
        back.add(
            SseTestClient.openStalled(herald.httpPort(), "/events?topic=demo&lastEventId=" + seen));
      }
      try (SseTestClient fresh = subscribed("topic=demo", Map.of())) {
        String live = ingest.publish("demo", "2");
        assertEquals(live, fresh.awaitEvent(WAIT).id());
      }
    } finally {
      closeAll(back);
    }
  }

  @Test
  void resumesFromTheQueryParameterOnAFirstConnectionAndTheHeaderWinsOverIt() throws Exception {
    start();
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      List<String> ids = ingest.publishNumbers("demo", 1, 4);
      try (SseTestClient byQuery = subscribed("topic=demo&lastEventId=" + ids.get(1), Map.of())) {
        assertEquals(ids.subList(2, 4), ids(byQuery.awaitEvents(2, WAIT)));
      }
      try (SseTestClient byHeader =
          subscribed(
              "topic=demo&lastEventId=" + ids.get(0), Map.of("Last-Event-ID", ids.get(2)))) {
        assertEquals(ids.subList(3, 4), ids(byHeader.awaitEvents(1, WAIT)));
      }
    }
  }

  @Test
  void sendsResetNamingTheEarliestRetainedIdWhenTheIdIsOlderThanTheHistory() throws Exception {
    start(b -> b.historySize(3));
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      List<String> ids = ingest.publishNumbers("demo", 1, 6);
      try (SseTestClient client = subscribed("topic=demo", Map.of("Last-Event-ID", ids.get(0)))) {
        var reset = client.awaitEvent(WAIT);
        assertEquals("reset", reset.type());
        assertEquals(
            "{\"reason\":\"history-truncated\",\"earliest\":\"" + ids.get(3) + "\"}", reset.data());
        String live = ingest.publish("demo", "7");
        assertEquals(live, client.awaitEvent(WAIT).id());
      }
    }
  }

  @Test
  void sendsResetForMalformedAndUnknownIds() throws Exception {
    start();
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      List<String> ids = ingest.publishNumbers("demo", 1, 2);
      for (String bad : List.of("garbage", "1-99999", "99999999999999-0", ids.get(0) + "x")) {
        try (SseTestClient client = subscribed("topic=demo", Map.of("Last-Event-ID", bad))) {
          var reset = client.awaitEvent(WAIT);
          assertEquals("reset", reset.type(), "for id " + bad);
          assertTrue(reset.data().contains("\"earliest\":\"" + ids.get(0) + "\""), reset.data());
        }
      }
    }
  }

  @Test
  void replayLongerThanTheOutboundQueueArrivesWholeAndInOrder() throws Exception {
    start(b -> b.queueEvents(16).queueBytes(8192));
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      List<String> ids = ingest.publishNumbers("demo", 1, 600);
      try (SseTestClient client = subscribed("topic=demo", Map.of("Last-Event-ID", ids.get(0)))) {
        assertEquals(ids.subList(1, 600), ids(client.awaitEvents(599, WAIT)));
      }
    }
  }

  @Test
  void resumingWhilePublishingNeitherLosesNorRepeatsAnEventAtTheSeam() throws Exception {
    start();
    int total = 3000;
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort());
        IngestTestClient background = new IngestTestClient(herald.ingestPort())) {
      String start = ingest.publish("demo", "0");
      CompletableFuture<List<String>> publishing =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  StringBuilder lines = new StringBuilder();
                  for (int i = 1; i <= total; i++) {
                    lines.append("{\"topic\":\"demo\",\"data\":").append(i).append("}\n");
                  }
                  List<String> replies = background.pipeline(lines.toString(), total);
                  return replies.stream().map(IngestTestClient::idOf).toList();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      try (SseTestClient client = subscribed("topic=demo", Map.of("Last-Event-ID", start))) {
        List<String> published = publishing.get();
        var received = client.awaitEvents(total, WAIT);
        assertEquals(published, ids(received));
        for (int i = 0; i < total; i++) {
          assertEquals(String.valueOf(i + 1), received.get(i).data());
        }
      }
    }
  }

  private static List<String> ids(List<SseTestClient.Event> events) {
    return events.stream().map(SseTestClient.Event::id).toList();
  }
}
