package io.herald.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.history.EventHistory;
import io.herald.history.EventId;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a subscriber is sent, decided without any network: a recording stream and a history. */
class SubscriberTest {
  private static final Subscriber.Limits LIMITS = new Subscriber.Limits(8, 1 << 20, 1000, 5000);

  private final EventHistory history = new EventHistory(1000, 1 << 20);
  private final RecordingStream stream = new RecordingStream();
  private final RecordingOwner owner = new RecordingOwner();
  private final List<SseEvent> live = new ArrayList<>();
  private long lastPosition;

  @AfterEach
  void release() {
    live.forEach(SseEvent::release);
    history.clear();
  }

  /** Publishes into the history (a copy); the test keeps the event, as a dispatcher queue would. */
  private SseEvent publish(String topic) {
    lastPosition++;
    SseEvent event =
        SseEncoder.encode(
            ByteBufAllocator.DEFAULT,
            lastPosition,
            new EventId(1000, lastPosition),
            topic,
            null,
            "e" + lastPosition,
            0);
    history.append(event);
    live.add(event);
    return event;
  }

  /** As {@link #publish}, with the id's sequence (and data) given: ids from a shared log. */
  private SseEvent append(String topic, long sequence) {
    lastPosition++;
    SseEvent event =
        SseEncoder.encode(
            ByteBufAllocator.DEFAULT, lastPosition, new EventId(1000, sequence), topic, null,
            "e" + sequence, 0);
    history.append(event);
    live.add(event);
    return event;
  }

  private final ReplaySource source =
      new ReplaySource() {
        @Override
        public Start start(String lastEventId) {
          long liveAt = history.lastPosition();
          if (lastEventId == null) {
            return new Start(-1, liveAt, false, null);
          }
          EventId id = EventId.parse(lastEventId);
          long from = id == null ? EventHistory.RESET : history.resumePosition(id);
          return from == EventHistory.RESET
              ? new Start(-1, liveAt, true, history.earliestId())
              : new Start(from, liveAt, false, null);
        }

        @Override
        public Step replay(
            long from, Predicate<String> topics, int maxEvents, long maxBytes, List<SseEvent> out) {
          long next = history.collect(from, topics, maxEvents, maxBytes, out);
          return new Step(next, next == history.lastPosition() + 1);
        }
      };

  private Subscriber subscriber(String... topics) {
    return new Subscriber(stream, List.of(topics), LIMITS, source);
  }

  @Test
  void liveSubscriberReceivesOnlyEventsPublishedAfterItStarted() {
    SseEvent before = publish("t");
    Subscriber s = subscriber("t");
    s.start(owner, null, 0);
    SseEvent after = publish("t");
    assertFalse(s.offer(before, 1));
    assertTrue(s.offer(after, 1));
    assertFalse(s.offer(after, 1), "never twice");
    assertEquals(List.of("e2"), stream.dataWritten());
  }

  @Test
  void anIdOlderThanTheHistoryIsReplayedFromTheLogInPagesThenFromTheHistoryThenLive() {
    // The shared log holds ids 1000-1 .. 1000-9 (topics t and u alternating); the history only
    // 1000-10 and 1000-11, which this node read after them.
    List<EventId> log = new ArrayList<>();
    for (int i = 1; i <= 9; i++) {
      log.add(new EventId(1000, i));
    }
    SseEvent h10 = append("t", 10);
    append("t", 11);
    ReplaySource withLog =
        new ReplaySource() {
          @Override
          public Start start(String lastEventId) {
            return new Start(
                history.firstPosition(), history.lastPosition(), false, null, null,
                EventId.parse(lastEventId), h10.id());
          }

          @Override
          public Step replay(
              long from, Predicate<String> topics, int maxEvents, long maxBytes, List<SseEvent> out) {
            return source.replay(from, topics, maxEvents, maxBytes, out);
          }

          @Override
          public void replayFromLog(
              EventId after, boolean first, EventId before, Predicate<String> topics, int maxEvents,
              java.util.function.BiConsumer<LogPage, Throwable> then) {
            List<SseEvent> page = new ArrayList<>();
            EventId last = null;
            int read = 0;
            for (EventId id : log) {
              if (id.compareTo(after) <= 0 || id.compareTo(before) >= 0 || read == maxEvents) {
                continue;
              }
              read++;
              last = id;
              String topic = id.sequence() % 2 == 1 ? "t" : "u";
              if (topics.test(topic)) {
                page.add(SseEncoder.encode(ByteBufAllocator.DEFAULT, 0, id, topic, null, "e" + id.sequence(), 0));
              }
            }
            then.accept(new LogPage(page, last, read < maxEvents, false, null), null);
          }
        };
    Subscriber s = new Subscriber(stream, List.of("t"), LIMITS, withLog); // pages of 4 entries
    s.start(owner, new EventId(1000, 1).toString(), 0);
    assertFalse(s.isReplaying());
    assertEquals(List.of("e3", "e5", "e7", "e9", "e10", "e11"), stream.dataWritten());
    SseEvent e12 = append("t", 12);
    assertFalse(s.offer(h10, 1), "never twice");
    assertTrue(s.offer(e12, 1));
    assertEquals("e12", stream.dataWritten().get(6));
  }

  @Test
  void anIdTheLogNoLongerHasIsResetThenGoesOnFromTheDecision() {
    publish("t");
    SseEvent e2 = publish("t");
    ReplaySource withLog =
        new ReplaySource() {
          @Override
          public Start start(String lastEventId) {
            return new Start(1, history.lastPosition(), false, null, null, EventId.parse(lastEventId),
                new EventId(1000, 1));
          }

          @Override
          public Step replay(
              long from, Predicate<String> topics, int maxEvents, long maxBytes, List<SseEvent> out) {
            return source.replay(from, topics, maxEvents, maxBytes, out);
          }

          @Override
          public void replayFromLog(
              EventId after, boolean first, EventId before, Predicate<String> topics, int maxEvents,
              java.util.function.BiConsumer<LogPage, Throwable> then) {
            then.accept(new LogPage(List.of(), null, true, true, new EventId(1000, 1)), null);
          }
        };
    Subscriber s = new Subscriber(stream, List.of("t"), LIMITS, withLog);
    s.start(owner, "5-0", 0);
    assertTrue(stream.texts.stream().anyMatch(t -> t.contains("event: reset")), stream.texts.toString());
    assertTrue(stream.dataWritten().isEmpty(), "nothing before the decision");
    assertFalse(s.offer(e2, 1));
    SseEvent e3 = publish("t");
    assertTrue(s.offer(e3, 1));
    assertEquals(List.of("e3"), stream.dataWritten());
  }

  @Test
  void aClientAheadOfThisNodeGoesLiveAndSkipsWhatItHadUntilPastItsId() {
    publish("t"); // e1: this node has read this far
    ReplaySource ahead =
        new ReplaySource() {
          @Override
          public Start start(String lastEventId) {
            return new Start(-1, history.lastPosition(), false, null, EventId.parse(lastEventId));
          }

          @Override
          public Step replay(
              long from, Predicate<String> topics, int maxEvents, long maxBytes, List<SseEvent> out) {
            throw new AssertionError("nothing to replay");
          }
        };
    Subscriber s = new Subscriber(stream, List.of("t"), LIMITS, ahead);
    s.start(owner, new EventId(1000, 3).toString(), 0); // the client read e3 on another node
    SseEvent e2 = publish("t");
    SseEvent e3 = publish("t");
    SseEvent e4 = publish("t");
    assertFalse(s.isReplaying());
    assertFalse(s.takesWhole(e2), "one by one while skipping");
    assertFalse(s.offer(e2, 1), "the client has it");
    assertFalse(s.offer(e3, 1), "the client has it");
    assertTrue(s.offer(e4, 1));
    SseEvent e5 = publish("t");
    assertTrue(s.offer(e5, 1));
    assertEquals(List.of("e4", "e5"), stream.dataWritten());
    assertTrue(stream.texts.isEmpty() || stream.texts.stream().noneMatch(t -> t.contains("reset")));
  }

  @Test
  void resumeReplaysMissedEventsOfItsTopicsThenSkipsThemWhenTheyArriveLive() {
    SseEvent e1 = publish("t");
    SseEvent e2 = publish("t");
    publish("other");
    SseEvent e4 = publish("t");
    Subscriber s = subscriber("t");
    s.start(owner, e1.idText(), 0);
    assertFalse(s.isReplaying());
    assertEquals(List.of("e2", "e4"), stream.dataWritten());
    // The dispatcher's queue still holds e2 and e4: the seam must not repeat them.
    assertFalse(s.offer(e2, 1));
    assertFalse(s.offer(e4, 1));
    SseEvent e5 = publish("t");
    assertTrue(s.offer(e5, 1));
    assertEquals(List.of("e2", "e4", "e5"), stream.dataWritten());
  }

  @Test
  void replayWaitsForTheConnectionAndSkipsLiveEventsUntilCaughtUp() {
    SseEvent first = publish("t");
    for (int i = 0; i < 20; i++) {
      publish("t");
    }
    Subscriber s = subscriber("t");
    stream.writableAfterWrites = 4; // replays in chunks of half the queue (4 events)
    s.start(owner, first.idText(), 0);
    assertTrue(s.isReplaying());
    assertEquals(4, stream.dataWritten().size());
    SseEvent during = publish("t");
    assertFalse(s.offer(during, 1), "live events wait while replaying");
    stream.writableAfterWrites = Integer.MAX_VALUE;
    s.writable(2);
    assertFalse(s.isReplaying());
    List<String> expected = new ArrayList<>();
    for (int i = 2; i <= 22; i++) {
      expected.add("e" + i);
    }
    assertEquals(expected, stream.dataWritten());
  }

  @Test
  void unresumableIdGetsResetNamingTheEarliestIdThenLiveEvents() {
    publish("t");
    Subscriber s = subscriber("t");
    s.start(owner, "12-34", 0);
    assertEquals(
        List.of("event: reset\ndata: {\"reason\":\"history-truncated\",\"earliest\":\"1000-1\"}\n\n"),
        stream.texts);
    assertTrue(s.offer(publish("t"), 1));
  }

  @Test
  void fullQueueCutsTheSubscriberOffAndTellsItsOwner() {
    Subscriber s = subscriber("t");
    s.start(owner, null, 0);
    stream.queuedWrites = LIMITS.queueEvents();
    assertFalse(s.offer(publish("t"), 1));
    assertTrue(s.isClosed());
    assertTrue(stream.aborted);
    assertEquals(List.of(DisconnectReason.SLOW_CONSUMER), owner.reasons);
    assertEquals(List.of(s), owner.removed);
  }

  @Test
  void evictedReplayCutsTheSubscriberInsteadOfLeavingAGap() {
    EventHistory tiny = new EventHistory(2, 1 << 20);
    try {
      ReplaySource evicted =
          new ReplaySource() {
            @Override
            public Start start(String lastEventId) {
              return new Start(1, 0, false, null);
            }

            @Override
            public Step replay(
                long from, Predicate<String> t, int maxEvents, long maxBytes, List<SseEvent> out) {
              return new Step(EventHistory.RESET, false);
            }
          };
      Subscriber s = new Subscriber(stream, List.of("t"), LIMITS, evicted);
      s.start(owner, "1000-1", 0);
      assertEquals(List.of(DisconnectReason.REPLAY_OVERRUN), owner.reasons);
    } finally {
      tiny.clear();
    }
  }

  @Test
  void sweepWritesAHeartbeatAfterIdleAndCutsAStalledConnection() {
    Subscriber s = subscriber("t");
    s.start(owner, null, 0);
    s.sweep(999);
    assertEquals(List.of(), stream.texts);
    s.sweep(1000);
    assertEquals(List.of(SseFrames.HEARTBEAT), stream.texts);
    stream.writableAfterWrites = 0;
    s.sweep(2000);
    s.sweep(6999);
    assertFalse(s.isClosed());
    s.sweep(7000);
    assertEquals(List.of(DisconnectReason.STALLED), owner.reasons);
  }

  @Test
  void endAsksTheClientToRetryAndEndsTheStreamOnce() {
    Subscriber s = subscriber("t");
    s.start(owner, null, 0);
    s.end(DisconnectReason.SHUTDOWN, 1234);
    s.end(DisconnectReason.SHUTDOWN, 1234);
    assertEquals("retry: 1234\n\n", stream.endText);
    assertEquals(List.of(DisconnectReason.SHUTDOWN), owner.reasons);
  }

  private static final class RecordingOwner implements Subscriber.Owner {
    final List<Subscriber> removed = new ArrayList<>();
    final List<DisconnectReason> reasons = new ArrayList<>();

    @Override
    public void remove(Subscriber subscriber) {
      removed.add(subscriber);
    }

    @Override
    public void disconnected(DisconnectReason reason) {
      reasons.add(reason);
    }
  }

  /** Records what a subscriber writes; writable until a set number of event writes. */
  private static final class RecordingStream implements EventStream {
    final List<String> events = new ArrayList<>();
    final List<String> texts = new ArrayList<>();
    int writableAfterWrites = Integer.MAX_VALUE;
    int writesSinceFlush;
    int queuedWrites;
    boolean aborted;
    String endText;

    List<String> dataWritten() {
      List<String> data = new ArrayList<>();
      for (String e : events) {
        data.add(e.substring(e.indexOf("data: ") + 6, e.length() - 2));
      }
      return data;
    }

    @Override
    public void writeEvent(SseEvent event) {
      events.add(event.payloadText());
      writesSinceFlush++;
    }

    @Override
    public void writeText(String text) {
      texts.add(text);
    }

    @Override
    public void flush() {}

    @Override
    public boolean isWritable() {
      return events.size() < writableAfterWrites && writableAfterWrites != 0;
    }

    @Override
    public long queuedBytes() {
      return 0;
    }

    @Override
    public int queuedWrites() {
      return queuedWrites;
    }

    @Override
    public void end(String text) {
      endText = text;
    }

    @Override
    public void abort() {
      aborted = true;
    }
  }
}
