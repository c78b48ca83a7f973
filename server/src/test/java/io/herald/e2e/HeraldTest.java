package io.herald.e2e;

import io.herald.config.HeraldConfig;
import io.herald.testing.TestHerald;
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

  @AfterEach
  void stopHerald() {
    if (herald != null) {
      herald.close();
      herald = null;
    }
  }
}
