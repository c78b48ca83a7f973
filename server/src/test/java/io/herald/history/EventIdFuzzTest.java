package io.herald.history;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any {@code Last-Event-ID} a client sends parses to an id or to {@code null} (Herald answers
 * the latter with {@code event: reset}), never an exception; and an id that parses is one Herald
 * could have written: printing and parsing it again gives the same id.
 */
class EventIdFuzzTest {
  @FuzzTest
  void anyLastEventIdParsesToAnIdOrNull(FuzzedDataProvider input) {
    String text = input.consumeRemainingAsString();
    EventId id = EventId.parse(text);
    if (id != null) {
      assertEquals(id, EventId.parse(id.toString()));
    }
  }
}
