package io.herald.load.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

class ChurnTest {
  @Test
  void reconnectsTheShareOfOpenStreamsPerSecondCarryingFractionsOver() {
    Streams streams = new Streams();
    for (int i = 0; i < 10; i++) {
      streams.ready(null, 1);
    }
    Churn churn = new Churn(new AtomicReferenceArray<>(10), streams, 25);
    assertEquals(2, churn.tick(1.0), "2.5 due: 2 now");
    assertEquals(3, churn.tick(1.0), "2.5 more and the half left over");
    assertEquals(1, churn.tick(0.5), "1.25 for half a second");
  }

  @Test
  void neverAsksMoreStreamsThanThereAre() {
    Streams streams = new Streams();
    for (int i = 0; i < 4; i++) {
      streams.ready(null, 1);
    }
    assertEquals(4, new Churn(new AtomicReferenceArray<>(4), streams, 100).tick(3.0));
  }

  @Test
  void aShareOutsideZeroToHundredIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Churn(new AtomicReferenceArray<>(1), new Streams(), 101));
  }
}
