package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.config.HeraldConfig;
import io.herald.testing.SseTestClient;
import io.herald.testing.TestHerald;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/**
 * End-to-end tests against a real Herald: {@link #start} one (with the test's settings), and it
 * is stopped after the test, whatever happened.
 */
abstract class HeraldTest {
  protected TestHerald herald;

  protected TestHerald start() {
    return start(b -> b);
  }

  protected TestHerald start(UnaryOperator<HeraldConfig.Builder> settings) {
    stopHerald();
    herald = TestHerald.start(settings);
    return herald;
  }

  /**
   * A stream of {@code /events?query} with {@code headers}, answered 200 and registered: its
   * opening comment has arrived, so what is published from now on reaches it.
   */
  protected SseTestClient subscribed(String query, Map<String, String> headers) throws Exception {
    SseTestClient client = SseTestClient.open(herald.httpPort(), "/events?" + query, headers);
    assertEquals(200, client.status());
    client.awaitComment(c -> c.contains("herald"), Duration.ofSeconds(15));
    return client;
  }

  @AfterEach
  void stopHerald() {
    if (herald != null) {
      herald.close();
      herald = null;
    }
  }
}
