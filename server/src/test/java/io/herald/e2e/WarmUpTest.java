package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.herald.WarmUp;
import io.herald.testing.SseTestClient;
import io.herald.testing.Tokens;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code --warm-up}: streams opened and closed over real loopback connections before the public
 * ports open, on the warm-up's own broadcaster, stats and (open) authenticator: the server then
 * starts with nothing of them.
 */
class WarmUpTest extends HeraldTest {
  @Test
  void theWarmUpOpensItsStreamsAndTheServerStartsWithNoneOfThem() throws Exception {
    start(b -> b.warmUp(Duration.ofSeconds(30)).warmUpStreams(500));
    WarmUp.Result result = herald.server().warmUpResult();
    assertEquals(500, result.ready());
    assertEquals(250, result.replayed(), "every second stream resumed and got its replay");
    assertEquals(0, result.failed());
    assertEquals(0, herald.server().stats().streams());
    assertEquals(0, herald.server().stats().subscriptions());
    assertEquals(0, herald.server().stats().httpConnections());
    try (SseTestClient client = subscribed("topic=" + WarmUp.TOPIC, Map.of())) {
      assertEquals(1, herald.server().stats().streams());
    }
  }

  @Test
  void theWarmUpNeedsNoTokenAndGivesClientsNoneOfItsOpenness() throws Exception {
    start(b -> b.jwtSecret(Tokens.SECRET).warmUp(Duration.ofSeconds(30)).warmUpStreams(200));
    assertEquals(200, herald.server().warmUpResult().ready());
    try (SseTestClient client = SseTestClient.open(herald.httpPort(), "/events?topic=" + WarmUp.TOPIC, Map.of())) {
      assertEquals(401, client.status());
    }
  }

  @Test
  void noWarmUpUnlessAskedFor() {
    start();
    assertNull(herald.server().warmUpResult());
  }
}
