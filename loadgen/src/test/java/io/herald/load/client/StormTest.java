package io.herald.load.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StormTest {
  private static final long MS = 1_000_000;

  @Test
  void allBackIsTheTimeFromTheReopenUntilTheLastStormedStreamCaughtUp() {
    Storm storm = new Storm(1_000 * MS, 2_000 * MS); // reopen at 3,000 ms
    storm.left(2);
    storm.left(1);
    assertEquals(3, storm.stormed());
    storm.caughtUp(3_400 * MS);
    storm.caughtUp(3_900 * MS);
    assertEquals(1, storm.behind());
    assertEquals(-1, storm.allBackMillis(), "one is still behind");
    storm.caughtUp(3_700 * MS);
    assertEquals(0, storm.behind());
    assertEquals(900, storm.allBackMillis(), "the last one back counts, not the last one checked");
    assertEquals(2_000, storm.awayMillis());
  }

  @Test
  void aStormThatTookNoStreamHasNoAllBackTime() {
    Storm storm = new Storm(0, MS);
    storm.left(0);
    assertEquals(0, storm.stormed());
    assertEquals(-1, storm.allBackMillis());
  }

  @Test
  void aStreamCaughtUpBeforeTheReopenWasScheduledCountsAsZero() {
    Storm storm = new Storm(10 * MS, 5 * MS);
    storm.left(1);
    storm.caughtUp(12 * MS); // the check's clock may be read before the reopen time it was scheduled for
    assertEquals(0, storm.allBackMillis());
  }

  @Test
  void aNegativeAwayTimeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Storm(0, -1));
  }
}
