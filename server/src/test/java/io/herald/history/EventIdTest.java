package io.herald.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventIdTest {
  @Test
  void parsesWhatItWrites() {
    EventId id = new EventId(1700000000123L, 42);
    assertEquals("1700000000123-42", id.toString());
    assertEquals(id, EventId.parse(id.toString()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "1", "-1", "1-", "-", "a-1", "1-b", "1-2-3", "+1-2", "1 -2", "1-2 ", "１-2",
        "99999999999999999999-1", "1-99999999999999999999", "1700000000000-7\n"
      })
  void refusesAnythingButTwoDecimalParts(String text) {
    assertNull(EventId.parse(text));
  }

  @Test
  void ordersByMillisThenSequence() {
    assertTrue(new EventId(2, 0).compareTo(new EventId(1, 99)) > 0);
    assertTrue(new EventId(1, 2).compareTo(new EventId(1, 10)) < 0);
  }

  @Test
  void generatorStaysStrictlyIncreasingWhenTheClockStandsStillOrStepsBack() {
    AtomicLong clock = new AtomicLong(1000);
    EventIdGenerator ids = new EventIdGenerator(clock::get);
    EventId a = ids.next();
    EventId b = ids.next();
    clock.set(900);
    EventId c = ids.next();
    clock.set(2000);
    EventId d = ids.next();
    assertEquals(new EventId(1000, 0), a);
    assertEquals(new EventId(1000, 1), b);
    assertEquals(new EventId(1000, 2), c);
    assertEquals(new EventId(2000, 0), d);
  }
}
