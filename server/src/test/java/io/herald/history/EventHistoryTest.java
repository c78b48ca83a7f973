package io.herald.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.herald.sse.SseEncoder;
import io.herald.sse.SseEvent;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventHistoryTest {
  private final List<SseEvent> made = new ArrayList<>();
  private EventHistory history;

  @AfterEach
  void releaseEverything() {
    if (history != null) {
      history.clear();
    }
  }

  private SseEvent event(long position, String topic) {
    SseEvent event =
        SseEncoder.encode(
            ByteBufAllocator.DEFAULT, position, new EventId(1000, position), topic, null, "x", 0);
    made.add(event);
    return event;
  }

  @Test
  void evictsTheOldestBeyondTheEventCountAndReleasesIt() {
    history = new EventHistory(3, 1 << 20);
    for (int i = 1; i <= 5; i++) {
      history.append(event(i, "t"));
    }
    assertEquals(3, history.size());
    assertEquals(3, history.firstPosition());
    assertEquals(5, history.lastPosition());
    assertEquals(0, made.get(0).refCnt());
    assertEquals(0, made.get(1).refCnt());
    assertEquals(1, made.get(2).refCnt());
  }

  @Test
  void evictsTheOldestBeyondTheByteBoundButKeepsTheNewest() {
    SseEvent probe = event(1, "t");
    int size = probe.size();
    probe.release();
    made.clear();
    history = new EventHistory(100, size * 2L);
    for (int i = 1; i <= 4; i++) {
      history.append(event(i, "t"));
    }
    assertEquals(2, history.size());
    assertEquals(size * 2L, history.bytes());
  }

  @Test
  void resumesAfterARetainedIdAndFromTheStartAfterTheLastEvictedId() {
    history = new EventHistory(3, 1 << 20);
    for (int i = 1; i <= 5; i++) {
      history.append(event(i, "t"));
    }
    assertEquals(5, history.resumePosition(new EventId(1000, 4)));
    assertEquals(6, history.resumePosition(new EventId(1000, 5)));
    assertEquals(3, history.resumePosition(new EventId(1000, 2)), "nothing was missed");
  }

  @Test
  void refusesToResumeFromTooOldUnknownOrFutureIds() {
    history = new EventHistory(3, 1 << 20);
    for (int i = 1; i <= 5; i++) {
      history.append(event(i, "t"));
    }
    assertEquals(EventHistory.RESET, history.resumePosition(new EventId(1000, 1)));
    assertEquals(EventHistory.RESET, history.resumePosition(new EventId(999, 77)));
    assertEquals(EventHistory.RESET, history.resumePosition(new EventId(5000, 0)));
    assertEquals(new EventId(1000, 3), history.earliestId());
  }

  @Test
  void anEmptyHistoryCannotResumeAnId() {
    history = new EventHistory(3, 1 << 20);
    assertEquals(EventHistory.RESET, history.resumePosition(new EventId(1000, 1)));
    assertNull(history.earliestId());
  }

  @Test
  void collectsOnlyMatchingTopicsEachRetainedForTheCaller() {
    history = new EventHistory(10, 1 << 20);
    for (int i = 1; i <= 6; i++) {
      history.append(event(i, i % 2 == 0 ? "even" : "odd"));
    }
    List<SseEvent> out = new ArrayList<>();
    long next = history.collect(1, "even"::equals, 2, Long.MAX_VALUE, out);
    assertEquals(List.of(2L, 4L), out.stream().map(SseEvent::position).toList());
    assertEquals(5, next);
    assertEquals(2, out.get(0).refCnt());
    out.forEach(SseEvent::release);
    out.clear();
    assertEquals(7, history.collect(next, "even"::equals, 10, Long.MAX_VALUE, out));
    assertEquals(1, out.size());
    out.forEach(SseEvent::release);
  }

  @Test
  void collectingFromAnEvictedPositionSaysSo() {
    history = new EventHistory(2, 1 << 20);
    for (int i = 1; i <= 4; i++) {
      history.append(event(i, "t"));
    }
    assertEquals(EventHistory.RESET, history.collect(2, t -> true, 10, Long.MAX_VALUE, new ArrayList<>()));
  }

  @Test
  void refusesOutOfOrderPositionsAndReleasesTheRefusedEvent() {
    history = new EventHistory(2, 1 << 20);
    SseEvent wrong = event(5, "t");
    assertThrows(IllegalStateException.class, () -> history.append(wrong));
    assertEquals(0, wrong.refCnt());
  }

  @Test
  void clearReleasesEveryRetainedEvent() {
    history = new EventHistory(10, 1 << 20);
    for (int i = 1; i <= 3; i++) {
      history.append(event(i, "t"));
    }
    history.clear();
    made.forEach(e -> assertEquals(0, e.refCnt()));
    assertEquals(0, history.size());
  }
}
