package io.herald.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.history.EventHistory;
import io.herald.history.EventIdGenerator;
import io.herald.ingest.PublishRequest;
import io.herald.metrics.HeraldStats;
import io.herald.sse.DisconnectReason;
import io.herald.sse.Subscriber;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which event loops the broadcaster hands an event to: those with a subscriber of its topic, and
 * no other (a per-user event wakes one loop, not all of them).
 */
class BroadcasterTest {
  private static final Subscriber.Limits LIMITS = new Subscriber.Limits(1000, 1 << 20, 60_000_000_000L, 60_000_000_000L);

  private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final HeraldStats stats = new HeraldStats();
  private final Broadcaster broadcaster =
      new Broadcaster(
          loops,
          ByteBufAllocator.DEFAULT,
          new EventHistory(100, 1 << 20),
          new EventIdGenerator(System::currentTimeMillis),
          64,
          stats);
  private final List<EventLoop> loop = new ArrayList<>();

  BroadcasterTest() {
    for (EventExecutor executor : loops) {
      loop.add((EventLoop) executor);
    }
  }

  @AfterEach
  void stop() {
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    broadcaster.releaseHistory();
  }

  @Test
  void handsAnEventOnlyToTheLoopsWithASubscriberOfItsTopic() throws Exception {
    RecordingStream first = new RecordingStream();
    subscribe(loop.get(0), first, "user.1");

    publish("user.1", "1");
    publish("user.2", "2"); // nobody reads user.2 yet
    turnEveryLoop();
    assertEquals(List.of("1"), onLoop(loop.get(0), first::data));
    // One delivery-lag observation per event per loop it was handed to: only user.1's, on one loop.
    assertEquals(1, lagObservations());

    RecordingStream second = new RecordingStream();
    subscribe(loop.get(1), second, "user.2");
    publish("user.2", "3");
    turnEveryLoop();
    assertEquals(List.of("3"), onLoop(loop.get(1), second::data));
    assertEquals(List.of("1"), onLoop(loop.get(0), first::data));
    assertEquals(2, lagObservations());
  }

  @Test
  void aLoopWantsATopicFromItsFirstSubscriberUntilItsLastIsGone() throws Exception {
    EventLoop here = loop.get(0);
    LoopDispatcher dispatcher = broadcaster.dispatcherFor(here);
    assertFalse(dispatcher.wants("t"));
    Subscriber a = subscribe(here, new RecordingStream(), "t", "u");
    Subscriber b = subscribe(here, new RecordingStream(), "t");
    assertTrue(dispatcher.wants("t"));
    assertTrue(dispatcher.wants("u"));
    assertFalse(broadcaster.dispatcherFor(loop.get(1)).wants("t"));

    onLoop(here, () -> { a.cut(DisconnectReason.CLIENT_GONE); return null; });
    assertTrue(dispatcher.wants("t"), "b still reads t");
    assertFalse(dispatcher.wants("u"));
    onLoop(here, () -> { b.cut(DisconnectReason.CLIENT_GONE); return null; });
    assertFalse(dispatcher.wants("t"));
  }

  private Subscriber subscribe(EventLoop on, RecordingStream stream, String... topics) throws Exception {
    Subscriber subscriber = new Subscriber(stream, List.of(topics), LIMITS, broadcaster);
    onLoop(on, () -> {
      broadcaster.dispatcherFor(on).register(subscriber, null);
      return null;
    });
    return subscriber;
  }

  private void publish(String topic, String data) {
    broadcaster.publish(List.of(new PublishRequest(topic, null, data)));
  }

  /**
   * A task on every loop, waited for: a drain the publish asked for was queued before it, so it
   * has run (a batch this small goes out in one slice).
   */
  private void turnEveryLoop() throws Exception {
    for (EventLoop l : loop) {
      onLoop(l, () -> null);
    }
  }

  private static <T> T onLoop(EventLoop on, Callable<T> task) throws Exception {
    return on.submit(task).get(10, TimeUnit.SECONDS);
  }

  private long lagObservations() {
    return stats.deliveryLagHistogram().collect().getDataPoints().get(0).getCount();
  }
}
