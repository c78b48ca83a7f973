package io.herald.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.sse.SseEncoder;
import io.herald.sse.SseEvent;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventHistoryTest {
  /** Counts the direct memory the history holds: what it has not released is still in use. */
  private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);

  private EventHistory history;

  @AfterEach
  void releaseEverything() {
    if (history != null) {
      history.clear();
    }
    assertEquals(0, alloc.metric().usedDirectMemory(), "the history released all it held");
  }

  /** Appends as the broadcaster does: the history copies, the caller releases its reference. */
  private void append(long position, String topic) {
    append(position, topic, "x" + position);
  }

  private void append(long position, String topic, String data) {
    SseEvent event = event(position, topic, data);
    try {
      history.append(event);
    } finally {
      event.release();
    }
  }

  private SseEvent event(long position, String topic, String data) {
    return SseEncoder.encode(alloc, position, new EventId(1000, position), topic, null, data, 7);
  }

  private List<SseEvent> collectAll(long from) {
    List<SseEvent> out = new ArrayList<>();
    history.collect(from, t -> true, Integer.MAX_VALUE, Long.MAX_VALUE, out);
    return out;
  }

  @Test
  void evictsTheOldestBeyondTheEventCount() {
    history = new EventHistory(3, 1 << 20, alloc);
    for (int i = 1; i <= 5; i++) {
      append(i, "t");
    }
    assertEquals(3, history.size());
    assertEquals(3, history.firstPosition());
    assertEquals(5, history.lastPosition());
    assertEquals(new EventId(1000, 3), history.earliestId());
  }

  @Test
  void evictsTheOldestBeyondTheByteBoundButKeepsTheNewest() {
    SseEvent probe = event(1, "t", "x1");
    int size = probe.size();
    probe.release();
    history = new EventHistory(100, size * 2L, alloc);
    for (int i = 1; i <= 4; i++) {
      append(i, "t");
    }
    assertEquals(2, history.size());
    assertEquals(size * 2L, history.bytes());

    append(5, "t", "far larger than the byte bound of this history, which is two small events");
    assertEquals(1, history.size(), "the newest is kept whatever its size");
    assertEquals(5, history.firstPosition());
  }

  @Test
  void appendCopiesTheEventAndLeavesTheCallersReferenceAlone() {
    history = new EventHistory(10, 1 << 20, alloc);
    SseEvent event = event(1, "t", "hello");
    history.append(event);
    assertEquals(1, event.refCnt());
    String sent = event.payloadText();
    event.release();

    List<SseEvent> out = collectAll(1);
    assertEquals(1, out.size());
    assertEquals(sent, out.get(0).payloadText());
    out.forEach(SseEvent::release);
  }

  @Test
  void replayedEventsAreTheBytesAndFieldsThatWerePublished() {
    history = new EventHistory(10, 1 << 20, alloc);
    List<SseEvent> published = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      SseEvent event = event(i, "topic-" + i, "line one\nline " + i);
      history.append(event);
      published.add(event);
    }
    List<SseEvent> out = collectAll(1);
    assertEquals(3, out.size());
    for (int i = 0; i < 3; i++) {
      SseEvent sent = published.get(i);
      SseEvent replayed = out.get(i);
      assertEquals(sent.position(), replayed.position());
      assertEquals(sent.id(), replayed.id());
      assertEquals(sent.idText(), replayed.idText());
      assertEquals(sent.topic(), replayed.topic());
      assertEquals(sent.size(), replayed.size());
      assertEquals(sent.acceptedNanos(), replayed.acceptedNanos());
      assertEquals(sent.payloadText(), replayed.payloadText());
      assertBytesEqual(sent, replayed);
    }
    published.forEach(SseEvent::release);
    out.forEach(SseEvent::release);
  }

  private static void assertBytesEqual(SseEvent expected, SseEvent actual) {
    var a = expected.http1Chunk();
    var b = actual.http1Chunk();
    try {
      assertEquals(a.toString(StandardCharsets.UTF_8), b.toString(StandardCharsets.UTF_8));
      var p = expected.payload();
      var q = actual.payload();
      try {
        assertTrue(ByteBufUtil.equals(p, q), "payloads (HTTP/2 DATA) are equal");
      } finally {
        p.release();
        q.release();
      }
    } finally {
      a.release();
      b.release();
    }
  }

  @Test
  void resumesAfterARetainedIdAndFromTheStartAfterTheLastEvictedId() {
    history = new EventHistory(3, 1 << 20, alloc);
    for (int i = 1; i <= 5; i++) {
      append(i, "t");
    }
    assertEquals(5, history.resumePosition(new EventId(1000, 4)));
    assertEquals(6, history.resumePosition(new EventId(1000, 5)));
    assertEquals(3, history.resumePosition(new EventId(1000, 2)), "nothing was missed");
  }

  @Test
  void refusesToResumeFromTooOldUnknownOrFutureIds() {
    history = new EventHistory(3, 1 << 20, alloc);
    for (int i = 1; i <= 5; i++) {
      append(i, "t");
    }
    assertEquals(EventHistory.RESET, history.resumePosition(new EventId(1000, 1)));
    assertEquals(EventHistory.RESET, history.resumePosition(new EventId(999, 77)));
    assertEquals(EventHistory.RESET, history.resumePosition(new EventId(5000, 0)));
    assertEquals(EventHistory.RESET, history.resumePosition(new EventId(1000, 9)));
    assertEquals(new EventId(1000, 3), history.earliestId());
  }

  @Test
  void anEmptyHistoryCannotResumeAnId() {
    history = new EventHistory(3, 1 << 20, alloc);
    assertEquals(EventHistory.RESET, history.resumePosition(new EventId(1000, 1)));
    assertNull(history.earliestId());
  }

  @Test
  void collectsOnlyMatchingTopicsEachANewReferenceForTheCaller() {
    history = new EventHistory(10, 1 << 20, alloc);
    for (int i = 1; i <= 6; i++) {
      append(i, i % 2 == 0 ? "even" : "odd");
    }
    List<SseEvent> out = new ArrayList<>();
    long next = history.collect(1, "even"::equals, 2, Long.MAX_VALUE, out);
    assertEquals(List.of(2L, 4L), out.stream().map(SseEvent::position).toList());
    assertEquals(List.of("x2", "x4"), out.stream().map(e -> data(e)).toList());
    assertEquals(5, next);
    assertEquals(3, out.get(0).refCnt(), "the segment's: the history's and one per replayed event");
    out.forEach(SseEvent::release);
    out.clear();
    assertEquals(7, history.collect(next, "even"::equals, 10, Long.MAX_VALUE, out));
    assertEquals(1, out.size());
    out.forEach(SseEvent::release);
  }

  @Test
  void collectStopsAtTheByteBound() {
    history = new EventHistory(10, 1 << 20, alloc);
    for (int i = 1; i <= 5; i++) {
      append(i, "t");
    }
    List<SseEvent> out = new ArrayList<>();
    SseEvent probe = event(1, "t", "x1");
    long size = probe.size();
    probe.release();
    assertEquals(3, history.collect(1, t -> true, 10, size + 1, out), "stops once past the bound");
    assertEquals(2, out.size());
    out.forEach(SseEvent::release);
  }

  @Test
  void collectingFromAnEvictedPositionSaysSo() {
    history = new EventHistory(2, 1 << 20, alloc);
    for (int i = 1; i <= 4; i++) {
      append(i, "t");
    }
    assertEquals(
        EventHistory.RESET, history.collect(2, t -> true, 10, Long.MAX_VALUE, new ArrayList<>()));
  }

  @Test
  void refusesOutOfOrderPositionsAndKeepsNothingOfTheRefusedEvent() {
    history = new EventHistory(2, 1 << 20, alloc);
    SseEvent wrong = event(5, "t", "x");
    assertThrows(IllegalStateException.class, () -> history.append(wrong));
    assertEquals(1, wrong.refCnt(), "still the caller's");
    wrong.release();
    assertEquals(0, history.size());
    assertEquals(0, history.bytes());
    assertEquals(0, history.topicCount());
  }

  @Test
  void fillsSegmentsInOrderAndReleasesEachOnceItsLastEventIsEvicted() {
    SseEvent probe = event(1, "t", "x1");
    int size = probe.size();
    probe.release();
    history = new EventHistory(6, 1 << 20, alloc, size * 3); // three events per segment
    for (int i = 1; i <= 6; i++) {
      append(i, "t");
    }
    assertEquals(2, history.segmentCount());
    append(7, "t");
    assertEquals(3, history.segmentCount(), "the first segment still holds events 2 and 3");
    append(8, "t");
    append(9, "t");
    assertEquals(2, history.segmentCount(), "the first segment was released with event 3");
    assertEquals(2L * size * 3, alloc.metric().usedDirectMemory());
    assertEquals(List.of("x4", "x5", "x6", "x7", "x8", "x9"), collectAll(4).stream().map(e -> {
      String data = data(e);
      e.release();
      return data;
    }).toList());
  }

  @Test
  void aReplayedEventKeepsItsSegmentAliveAfterEvictionUntilReleased() {
    SseEvent probe = event(1, "t", "x1");
    int size = probe.size();
    probe.release();
    history = new EventHistory(2, 1 << 20, alloc, size * 2);
    append(1, "t");
    append(2, "t");
    List<SseEvent> replaying = collectAll(1);
    for (int i = 3; i <= 6; i++) {
      append(i, "t");
    }
    assertEquals(1, history.segmentCount(), "the history let go of the first two segments");
    assertEquals(2L * size * 2, alloc.metric().usedDirectMemory(), "the replay holds one of them");
    assertEquals(List.of("x1", "x2"), replaying.stream().map(e -> data(e)).toList());
    replaying.forEach(SseEvent::release);
    assertEquals((long) size * 2, alloc.metric().usedDirectMemory());
  }

  @Test
  void anEventLargerThanASegmentGetsOneOfItsOwn() {
    history = new EventHistory(10, 1 << 20, alloc, 64);
    String large = "y".repeat(500);
    append(1, "t", "small");
    append(2, "t", large);
    append(3, "t", "small again");
    assertEquals(3, history.segmentCount());
    List<SseEvent> out = collectAll(1);
    assertEquals(List.of("small", large, "small again"), out.stream().map(e -> data(e)).toList());
    out.forEach(SseEvent::release);
  }

  @Test
  void wrapsAroundItsSlotsAndSegmentsManyTimes() {
    history = new EventHistory(7, 1 << 20, alloc, 100);
    for (int i = 1; i <= 1000; i++) {
      append(i, "topic-" + (i % 3));
      if (i % 97 == 0) {
        List<SseEvent> out = collectAll(history.firstPosition());
        assertEquals(7, out.size());
        for (int k = 0; k < 7; k++) {
          long position = i - 6 + k;
          assertEquals(position, out.get(k).position());
          assertEquals("topic-" + (position % 3), out.get(k).topic());
          assertEquals("x" + position, data(out.get(k)));
        }
        out.forEach(SseEvent::release);
      }
    }
    assertEquals(3, history.topicCount());
    assertTrue(history.segmentCount() <= 4, "segments holding evicted events only are released");
  }

  @Test
  void growsItsSlotsOnlyAsEventsAreRetainedAndKeepsEveryEventWhereItWas() {
    int capacity = EventHistory.INITIAL_SLOTS * 3 - 5;
    history = new EventHistory(capacity, 1 << 30, alloc);
    assertEquals(EventHistory.INITIAL_SLOTS, history.slots());
    int total = capacity + 1000;
    for (int i = 1; i <= total; i++) {
      append(i, "t");
      if (i == EventHistory.INITIAL_SLOTS + 1) {
        assertEquals(2 * EventHistory.INITIAL_SLOTS, history.slots());
      }
    }
    assertEquals(capacity, history.slots(), "never past the bound");
    assertEquals(capacity, history.size());
    assertEquals(total - capacity + 1, history.firstPosition());
    List<SseEvent> out = collectAll(history.firstPosition());
    for (int k = 0; k < out.size(); k++) {
      long position = total - capacity + 1 + k;
      assertEquals(position, out.get(k).position());
      assertEquals(new EventId(1000, position), out.get(k).id());
      assertEquals("x" + position, data(out.get(k)));
    }
    assertEquals(capacity, out.size());
    out.forEach(SseEvent::release);
    assertEquals(total - 5, history.resumePosition(new EventId(1000, total - 6)));
  }

  @Test
  void aByteBoundThatKeepsFewEventsKeepsTheSlotsFew() {
    SseEvent probe = event(1, "t", "x1");
    long size = probe.size();
    probe.release();
    history = new EventHistory(1_000_000, size * 10, alloc);
    for (int i = 1; i <= 5000; i++) {
      append(i, "t", "y");
    }
    assertEquals(EventHistory.INITIAL_SLOTS, history.slots());
  }

  @Test
  void forgetsATopicWithItsLastEvent() {
    history = new EventHistory(2, 1 << 20, alloc);
    append(1, "a");
    append(2, "b");
    append(3, "b");
    assertEquals(1, history.topicCount());
    append(4, "c");
    append(5, "a");
    assertEquals(2, history.topicCount());
    List<SseEvent> out = collectAll(4);
    assertEquals(List.of("c", "a"), out.stream().map(SseEvent::topic).toList());
    out.forEach(SseEvent::release);
  }

  @Test
  void clearReleasesEverythingAndTheHistoryStaysUsable() {
    history = new EventHistory(10, 1 << 20, alloc);
    for (int i = 1; i <= 3; i++) {
      append(i, "t");
    }
    history.clear();
    assertEquals(0, history.size());
    assertEquals(0, history.segmentCount());
    assertEquals(0, alloc.metric().usedDirectMemory());
    assertEquals(4, history.resumePosition(new EventId(1000, 3)), "the last evicted is known");

    append(4, "t");
    assertEquals(List.of("x4"), collectAll(4).stream().map(e -> {
      String data = data(e);
      e.release();
      return data;
    }).toList());
  }

  /** The {@code data:} of a one-line event. */
  private static String data(SseEvent event) {
    String text = event.payloadText();
    int start = text.indexOf("data: ") + "data: ".length();
    return text.substring(start, text.indexOf('\n', start));
  }
}
