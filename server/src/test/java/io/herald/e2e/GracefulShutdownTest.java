package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.IngestTestClient;
import io.herald.testing.SseTestClient;
import io.herald.testing.TestHerald;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GracefulShutdownTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void stopDeliversEveryAcknowledgedEventThenAsksClientsToRetryAndCloses() throws Exception {
    int n = 20_000;
    TestHerald herald = TestHerald.start(b -> b.retryMillis(1000));
    try (SseTestClient client = SseTestClient.open(herald.httpPort(), "/events?topic=s", Map.of());
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      client.awaitComment(c -> c.contains("herald"), WAIT);
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < n; i++) {
        lines.append("{\"topic\":\"s\",\"data\":").append(i).append("}\n");
      }
      List<String> acks = ingest.pipeline(lines.toString(), n);
      herald.close(); // returns once the drain is over
      client.awaitClosed(WAIT);
      var events = client.eventsSoFar();
      assertEquals(n, events.size());
      assertEquals(IngestTestClient.idOf(acks.get(n - 1)), events.get(n - 1).id());
      List<Integer> retries = client.retries();
      assertEquals(2, retries.size(), "the opening retry, then the one asking to come back");
      int comeBack = retries.get(1);
      assertTrue(comeBack >= 1000 && comeBack <= 2000, "jittered retry, got " + comeBack);
    }
  }

  @Test
  void ingestIsRefusedOnceStopped() throws Exception {
    TestHerald herald = TestHerald.start();
    IngestTestClient ingest = new IngestTestClient(herald.ingestPort());
    ingest.publish("s", "1");
    herald.close();
    assertEquals(List.of(), ingest.readUntilClosed());
    ingest.close();
  }
}
