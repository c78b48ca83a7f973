package io.herald.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.history.EventHistory;
import io.herald.history.EventId;
import io.herald.metrics.HeraldStats;
import io.herald.sse.ReplaySource;
import io.herald.sse.SseEncoder;
import io.herald.sse.SseEvent;
import io.herald.sse.Subscriber;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the dispatcher writes when several events wait at once: one write per run of a topic's
 * events for subscribers of that topic alone, every event in publish order for subscribers of
 * several. Runs on an {@link EmbeddedChannel}'s loop, whose tasks run when the test says so.
 */
class LoopDispatcherTest {
  private static final Subscriber.Limits LIMITS = new Subscriber.Limits(10_000, 64 << 20, 1000, 5000);

  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final HeraldStats stats = new HeraldStats();
  private final LoopDispatcher dispatcher =
      new LoopDispatcher(channel.eventLoop(), 8192, stats, () -> {});
  private final List<SseEvent> published = new ArrayList<>();
  private final EventHistory history = new EventHistory(100_000, 64 << 20);
  private long position;

  /** Every subscriber starts live at the current position; nothing to replay. */
  private final ReplaySource live =
      new ReplaySource() {
        @Override
        public Start start(String lastEventId) {
          return new Start(-1, position, false, null);
        }

        @Override
        public Step replay(long from, Predicate<String> topics, int maxEvents, long maxBytes, List<SseEvent> out) {
          throw new AssertionError("no replay here");
        }
      };

  @AfterEach
  void release() {
    published.forEach(SseEvent::release);
    history.clear();
    channel.finishAndReleaseAll();
  }

  /** Publishes one event to the dispatcher, as the broadcaster does (it keeps its own reference). */
  private void publish(String topic, String data) {
    position++;
    SseEvent event =
        SseEncoder.encode(ByteBufAllocator.DEFAULT, position, new EventId(1000, position), topic, null, data, 0);
    published.add(event);
    assertTrue(dispatcher.offer(event));
  }

  private RecordingStream subscribe(String... topics) {
    RecordingStream stream = new RecordingStream();
    dispatcher.register(new Subscriber(stream, List.of(topics), LIMITS, live), null);
    return stream;
  }

  @Test
  void eachTopicsWaitingEventsReachItsSubscribersInOneWrite() {
    RecordingStream a1 = subscribe("a");
    RecordingStream a2 = subscribe("a");
    RecordingStream b = subscribe("b");
    for (int i = 1; i <= 5; i++) {
      publish("a", "a" + i);
      publish("b", "b" + i);
    }
    dispatcher.wake();
    channel.runPendingTasks();

    for (RecordingStream stream : List.of(a1, a2)) {
      assertEquals(1, stream.writes.size(), "one write for the five events of topic a");
      assertEquals(List.of("a1", "a2", "a3", "a4", "a5"), stream.data());
      assertEquals(List.of("1000-9"), stream.lastIds(), "the run carries the id of its last event");
    }
    assertEquals(List.of("b1", "b2", "b3", "b4", "b5"), b.data());
    assertEquals(15, stats.delivered());
  }

  @Test
  void aSubscriberOfSeveralTopicsGetsEveryEventInPublishOrder() {
    RecordingStream both = subscribe("a", "b");
    RecordingStream a = subscribe("a");
    publish("a", "a1");
    publish("b", "b1");
    publish("a", "a2");
    publish("b", "b2");
    dispatcher.wake();
    channel.runPendingTasks();

    assertEquals(List.of("a1", "b1", "a2", "b2"), both.data());
    assertEquals(4, both.writes.size());
    assertEquals(List.of("a1", "a2"), a.data());
    assertEquals(6, stats.delivered());
  }

  @Test
  void aSubscriberThatStartedAfterSomeOfTheWaitingEventsGetsOnlyTheRest() {
    publish("a", "a1");
    publish("a", "a2");
    RecordingStream early = new RecordingStream();
    RecordingStream late = subscribe("a"); // live from position 2: a1 and a2 are not its own
    publish("a", "a3");
    dispatcher.register(new Subscriber(early, List.of("a"), LIMITS, new ReplaySource() {
      @Override
      public Start start(String lastEventId) {
        return new Start(-1, 0, false, null); // live from the very start
      }

      @Override
      public Step replay(long from, Predicate<String> topics, int maxEvents, long maxBytes, List<SseEvent> out) {
        throw new AssertionError();
      }
    }), null);
    dispatcher.wake();
    channel.runPendingTasks();

    assertEquals(List.of("a1", "a2", "a3"), early.data());
    assertEquals(List.of("a3"), late.data());
  }

  @Test
  void runsAreCutAtSixtyFourKilobytes() {
    RecordingStream a1 = subscribe("a");
    RecordingStream a2 = subscribe("a");
    String big = "x".repeat(20_000);
    for (int i = 0; i < 10; i++) {
      publish("a", big + i);
    }
    dispatcher.wake();
    channel.runPendingTasks();

    for (RecordingStream stream : List.of(a1, a2)) {
      assertEquals(10, stream.data().size());
      assertEquals(big + 9, stream.data().get(9));
      assertTrue(stream.writes.size() >= 4, "about 20 kB each: at most three per 64 kB run");
      assertTrue(stream.writes.stream().allMatch(w -> w.length() <= 64 * 1024 + 64));
    }
  }

  @Test
  void aFanOutToMoreThanASliceGoesOutOverSeveralTurnsOfTheLoopAndReachesEveryoneOnce() {
    int subscribers = 3 * LoopDispatcher.SLICE + 10;
    List<RecordingStream> streams = new ArrayList<>();
    for (int i = 0; i < subscribers; i++) {
      streams.add(subscribe("a"));
    }
    publish("a", "one");
    dispatcher.wake();
    channel.runPendingTasks();
    long afterFirstTurn = stats.delivered();
    assertTrue(afterFirstTurn >= LoopDispatcher.SLICE && afterFirstTurn < subscribers,
        "one turn of the loop delivers slices, not everything: " + afterFirstTurn);

    for (int turn = 0; turn < 10 && stats.delivered() < subscribers; turn++) {
      channel.runPendingTasks();
    }
    assertEquals(subscribers, stats.delivered());
    for (RecordingStream stream : streams) {
      assertEquals(List.of("one"), stream.data());
    }
  }

  @Test
  void inOneBatchTheSmallestFanOutGoesFirst() {
    List<RecordingStream> crowd = subscribeMany("big", 3 * LoopDispatcher.SLICE + 10);
    RecordingStream mine = subscribe("user.7");
    publishAndTurn("big", "b1", "user.7", "u1");

    assertEquals(List.of("u1"), mine.data(), "the user's event went out in the first slice");
    assertTrue(stats.delivered() < crowd.size() + 1, "the broadcast is still going out");
    runUntilDelivered(crowd.size() + 1);
    crowd.forEach(s -> assertEquals(List.of("b1"), s.data()));
  }

  @Test
  void anEventForASmallTopicPublishedDuringABroadcastWaitsOneSliceNotTheWholeBroadcast() {
    List<RecordingStream> crowd = subscribeMany("big", 3 * LoopDispatcher.SLICE + 10);
    RecordingStream mine = subscribe("user.7");
    publish("big", "b1");
    dispatcher.wake();
    channel.runPendingTasks(); // the broadcast's first slice
    publish("user.7", "u1");
    publish("big", "b2"); // behind b1 for the crowd: waits for the next batch
    publish("user.7", "u2");
    dispatcher.wake();
    channel.runPendingTasks(); // the next slice

    assertEquals(List.of("u1", "u2"), mine.data(), "delivered with the next slice, in order");
    assertTrue(crowd.stream().allMatch(s -> s.data().size() <= 1), "b2 waits for b1's batch to end");
    runUntilDelivered(2 * crowd.size() + 2);
    crowd.forEach(s -> assertEquals(List.of("b1", "b2"), s.data(), "each event once, in order"));
    assertEquals(List.of("u1", "u2"), mine.data());
    assertEveryReferenceGivenBack();
  }

  @Test
  void aSmallTopicAlreadyInTheBatchKeepsItsOrderDuringIt() {
    List<RecordingStream> crowd = subscribeMany("big", 3 * LoopDispatcher.SLICE + 10);
    RecordingStream mine = subscribe("user.7");
    publishAndTurn("big", "b1", "user.7", "u1");
    publish("user.7", "u2");
    publish("user.8", "nobody here");
    publish("user.7", "u3");
    dispatcher.wake();
    runUntilDelivered(crowd.size() + 3);

    assertEquals(List.of("u1", "u2", "u3"), mine.data());
    assertEveryReferenceGivenBack();
  }

  @Test
  void aSmallTopicWhoseEventsInTheBatchAreOutGetsItsNextEventWithTheNextSlice() {
    // The reconnect storm's legitimate group: its topic shares a batch with the broadcast, and
    // its next event used to wait for the whole broadcast (tens of turns during a storm).
    List<RecordingStream> crowd = subscribeMany("big", 3 * LoopDispatcher.SLICE + 10);
    RecordingStream mine = subscribe("user.7");
    publishAndTurn("big", "b1", "user.7", "u1");
    publishAndTurn("user.7", "u2");

    assertEquals(List.of("u1", "u2"), mine.data(), "u2 went with the next slice");
    assertTrue(stats.delivered() < crowd.size() + 2, "the broadcast is still going out");
    runUntilDelivered(crowd.size() + 2);
    crowd.forEach(s -> assertEquals(List.of("b1"), s.data()));
    assertEveryReferenceGivenBack();
  }

  @Test
  void aSmallTopicStillGoingOutInTheBatchHoldsItsNextEventSoNoSubscriberMissesOne() {
    List<RecordingStream> crowd = subscribeMany("big", 3 * LoopDispatcher.SLICE + 10);
    List<RecordingStream> first = subscribeMany("a", LoopDispatcher.SLICE - 56);
    List<RecordingStream> middle = subscribeMany("c", LoopDispatcher.SLICE - 36);
    List<RecordingStream> second = subscribeMany("b", LoopDispatcher.SLICE - 16);
    // Smallest first: a, c, then b, which is still going out after this turn's two slices.
    publishAndTurn("big", "big1", "a", "a1", "c", "c1", "b", "b1");
    assertTrue(second.stream().anyMatch(s -> s.data().isEmpty()), "b1 is not out yet");
    publishAndTurn("b", "b2");

    runUntilDelivered(crowd.size() + first.size() + middle.size() + 2L * second.size());
    first.forEach(s -> assertEquals(List.of("a1"), s.data()));
    middle.forEach(s -> assertEquals(List.of("c1"), s.data()));
    second.forEach(s -> assertEquals(List.of("b1", "b2"), s.data(), "each event once, in order"));
    assertEveryReferenceGivenBack();
  }

  @Test
  void aNudgeBetweenConnectionTasksSendsSmallTopicsAtOnceAndHoldsTheRestInOrderForTheDrain() {
    List<RecordingStream> crowd = subscribeMany("big", LoopDispatcher.SLICE + 10);
    RecordingStream mine = subscribe("user.7");
    publish("big", "b1");
    publish("user.7", "u1");
    publish("big", "b2");
    dispatcher.wake(); // its drain task waits behind a flood of connection tasks
    dispatcher.nudge(); // one of those tasks

    assertEquals(List.of("u1"), mine.data(), "the small topic went out at once");
    assertTrue(crowd.stream().allMatch(s -> s.data().isEmpty()), "the broadcast waits for its drain");
    runUntilDelivered(2L * crowd.size() + 1);
    crowd.forEach(s -> assertEquals(List.of("b1", "b2"), s.data(), "each event once, in order"));
    assertEquals(List.of("u1"), mine.data());
    assertEveryReferenceGivenBack();
  }

  @Test
  void withASubscriberOfSeveralTopicsOnTheLoopEverythingKeepsPublishOrder() {
    List<RecordingStream> crowd = subscribeMany("a", 3 * LoopDispatcher.SLICE + 10);
    RecordingStream both = subscribe("a", "b");
    publish("a", "a1");
    dispatcher.wake();
    channel.runPendingTasks();
    publish("b", "b1");
    publish("a", "a2");
    dispatcher.wake();
    runUntilDelivered(2 * (crowd.size() + 1) + 1);

    assertEquals(List.of("a1", "b1", "a2"), both.data());
  }

  /** Publishes {@code topic, data} pairs, wakes the dispatcher, and runs one turn of the loop. */
  private void publishAndTurn(String... topicsAndData) {
    for (int i = 0; i < topicsAndData.length; i += 2) {
      publish(topicsAndData[i], topicsAndData[i + 1]);
    }
    dispatcher.wake();
    channel.runPendingTasks();
  }

  /** The test holds one reference to each event it published; the dispatcher holds none. */
  private void assertEveryReferenceGivenBack() {
    for (SseEvent event : published) {
      assertEquals(1, event.refCnt(), "the dispatcher gave back every reference it took");
    }
  }

  private List<RecordingStream> subscribeMany(String topic, int count) {
    List<RecordingStream> streams = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      streams.add(subscribe(topic));
    }
    return streams;
  }

  /** Turns the loop until the dispatcher has nothing left (a bounded number of turns). */
  private void runUntilDelivered(long deliveries) {
    for (int turn = 0; turn < 50 && !dispatcher.isIdle(); turn++) {
      channel.runPendingTasks();
    }
    assertTrue(dispatcher.isIdle(), "the dispatcher finished");
    assertEquals(deliveries, stats.delivered());
  }

  @Test
  void aLoopThatFallsAWholeRingBehindCutsItsSubscribersInsteadOfGrowing() {
    LoopDispatcher small = new LoopDispatcher(channel.eventLoop(), 8, stats, () -> {});
    RecordingStream s1 = new RecordingStream();
    RecordingStream s2 = new RecordingStream();
    small.register(new Subscriber(s1, List.of("a"), LIMITS, live), null);
    small.register(new Subscriber(s2, List.of("b"), LIMITS, live), null);
    int accepted = 0;
    for (int i = 0; i < 20; i++) {
      position++;
      SseEvent event =
          SseEncoder.encode(ByteBufAllocator.DEFAULT, position, new EventId(1000, position), "a", null, "x", 0);
      published.add(event);
      if (small.offer(event)) {
        accepted++;
      }
    }
    assertEquals(8, accepted, "the ring holds 8; the rest are refused, not queued");
    small.wake();
    channel.runPendingTasks();

    assertTrue(s1.aborted && s2.aborted, "every subscriber of the loop is cut off to resume by id");
    assertTrue(s1.writes.isEmpty(), "nothing delivered out of a ring that lost events");
    assertEquals(2, stats.disconnects(io.herald.sse.DisconnectReason.LAPPED));
    assertEveryReferenceGivenBack();
    position++;
    SseEvent next =
        SseEncoder.encode(ByteBufAllocator.DEFAULT, position, new EventId(1000, position), "a", null, "y", 0);
    published.add(next);
    assertTrue(small.offer(next), "after the cut the ring takes events again");
    small.wake();
    channel.runPendingTasks();
  }

  @Test
  void aLongReplayGoesOutOverSeveralTurnsAndLiveEventsPublishedMeanwhileFollowItOnceInOrder() {
    // The history a resuming client missed: four slices' worth, plus one event it already had.
    int missed = 4 * LoopDispatcher.REPLAY_SLICE_EVENTS + 10;
    SseEvent had = publishInto("a", "had");
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= missed; i++) {
      publishInto("a", "m" + i);
      expected.add("m" + i);
    }
    RecordingStream steady = subscribe("a"); // live all along, on the same loop
    RecordingStream resuming = new RecordingStream();
    dispatcher.register(
        new Subscriber(resuming, List.of("a"), LIMITS, replayingFrom(history)), had.idText());
    assertTrue(resuming.writes.isEmpty(), "nothing is replayed inside the request's handling");

    int turns = 0;
    int live = 0;
    while (resuming.data().size() < missed + live) {
      // A live event every turn: the steady stream gets it at once; the replaying one after
      // everything it missed, from the history, where it is already.
      String data = "live" + ++live;
      publishInto("a", data);
      expected.add(data);
      dispatcher.wake();
      int before = resuming.data().size();
      channel.runPendingTasks();
      // The embedded loop's first turn runs both the task the registration executed and the
      // continuation it scheduled; a real loop runs I/O in between. Every later turn is one.
      int slices = turns == 0 ? 2 : 1;
      turns++;
      assertTrue(
          resuming.data().size() - before <= slices * LoopDispatcher.REPLAY_SLICE_EVENTS,
          "one turn writes at most a slice of replay: " + (resuming.data().size() - before));
      assertEquals(live, steady.data().size(), "the live stream gets each event in its turn");
      assertTrue(turns < 100, "the replay ends");
    }
    assertTrue(turns >= 4, "a replay of more than four slices takes several turns: " + turns);
    assertEquals(expected, resuming.data(), "what it missed, then the live events, each once");

    // Caught up: from now on it is live like any other subscriber, and nothing comes twice.
    publishInto("a", "after");
    expected.add("after");
    dispatcher.wake();
    channel.runPendingTasks();
    channel.runPendingTasks();
    assertEquals(expected, resuming.data());
    assertEquals(live + 1, steady.data().size());
    assertEquals("after", steady.data().get(live));
  }

  /**
   * Publishes as the broadcaster does: into the history (which copies it) and to the dispatcher
   * (with a reference of its own); the test keeps the encoder's reference until it ends.
   */
  private SseEvent publishInto(String topic, String data) {
    position++;
    SseEvent event =
        SseEncoder.encode(ByteBufAllocator.DEFAULT, position, new EventId(1000, position), topic, null, data, 0);
    published.add(event);
    history.append(event);
    assertTrue(dispatcher.offer(event));
    return event;
  }

  /** Resumes from the history, deciding "caught up" against its newest event, as the broadcaster does. */
  private static ReplaySource replayingFrom(EventHistory history) {
    return new ReplaySource() {
      @Override
      public Start start(String lastEventId) {
        long from = history.resumePosition(EventId.parse(lastEventId));
        return new Start(from, history.lastPosition(), false, null);
      }

      @Override
      public Step replay(long from, Predicate<String> topics, int maxEvents, long maxBytes, List<SseEvent> out) {
        long next = history.collect(from, topics, maxEvents, maxBytes, out);
        return new Step(next, next == history.lastPosition() + 1);
      }
    };
  }
}
