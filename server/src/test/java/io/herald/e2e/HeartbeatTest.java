package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.testing.SseTestClient;
import io.herald.testing.TestHerald;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeartbeatTest {
  @Test
  void idleStreamGetsAPingCommentAfterTheHeartbeatInterval() throws Exception {
    try (TestHerald herald = TestHerald.start(b -> b.heartbeat(Duration.ofMillis(200)));
        SseTestClient client =
            SseTestClient.open(herald.httpPort(), "/events?topic=quiet", Map.of())) {
      assertEquals(200, client.status());
      client.awaitComment(c -> c.trim().equals("ping"), Duration.ofSeconds(10));
      client.awaitComment(c -> c.trim().equals("ping"), Duration.ofSeconds(10));
    }
  }
}
