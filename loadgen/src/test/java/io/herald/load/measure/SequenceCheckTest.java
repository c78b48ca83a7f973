package io.herald.load.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SequenceCheckTest {
  @Test
  void tellsLostDuplicatedAndLateEventsApart() {
    SequenceCheck check = new SequenceCheck();
    for (long s : new long[] {1, 2, 4, 5, 5, 6, 8, 7, 9}) {
      check.received(s);
    }
    assertEquals(9, check.received());
    assertEquals(1, check.lost(9), "3 never came");
    assertEquals(1, check.duplicates(), "5 came twice");
    assertEquals(1, check.outOfOrder(), "7 came after 8");
  }

  @Test
  void eventsMissingAtTheEndAreLost() {
    SequenceCheck check = new SequenceCheck();
    check.received(1);
    check.received(2);
    assertEquals(3, check.lost(5));
    assertEquals(0, new SequenceCheck().lost(0));
  }

  @Test
  void anEventTheServerRefusedIsNotLostWhenMissingButOneItAcknowledgedIs() {
    SequenceCheck check = new SequenceCheck();
    check.received(1);
    check.received(4); // 2 (refused) and 3 (acknowledged) missing
    check.received(5);
    java.util.Set<Long> refused = java.util.Set.of(2L, 7L);
    // published 7: 3 and 6 are lost; 2 and 7 were refused
    assertEquals(2, check.lost(7, refused::contains));
    assertEquals(4, check.lost(7), "without the refusals every missing one counts");
  }

  @Test
  void readsSequenceAndSendTimeFromTheDataBytes() {
    byte[] data = "{\"s\":42,\"t\":1700000000123,\"p\":\"xxx\"}".getBytes(StandardCharsets.UTF_8);
    assertEquals(42, EventFields.number(data, data.length, 's'));
    assertEquals(1700000000123L, EventFields.number(data, data.length, 't'));
    assertEquals(-1, EventFields.number(data, data.length, 'q'));
  }
}
