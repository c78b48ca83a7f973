package io.herald.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.history.EventHistory;
import io.herald.history.EventIdGenerator;
import io.herald.ingest.PublishRequest;
import io.herald.metrics.HeraldStats;
import io.herald.sse.ReplaySource;
import io.herald.sse.SseEvent;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Subscribers of one topic that resume from the same position share one run of what they
 * missed (a reconnect storm: thousands from the same id), and it is exactly what each would have
 * been replayed one by one.
 */
class SharedReplayTest {
  private static final Pattern DATA = Pattern.compile("data: (.*)\n");

  private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Broadcaster broadcaster =
      new Broadcaster(
          loops,
          ByteBufAllocator.DEFAULT,
          new EventHistory(8, 1 << 20),
          new EventIdGenerator(System::currentTimeMillis),
          64,
          new HeraldStats());
  private final List<SseEvent> taken = new ArrayList<>();

  @AfterEach
  void stop() {
    taken.forEach(SseEvent::release);
    broadcaster.releaseHistory();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    for (SseEvent event : taken) {
      assertEquals(0, event.refCnt(), "every reference given back");
    }
  }

  private void publish(String topic, String data) {
    broadcaster.publish(List.of(new PublishRequest(topic, null, "\"" + data + "\"")));
  }

  private ReplaySource.Step replay(long from, String topic, List<SseEvent> out) {
    ReplaySource.Step step = broadcaster.replay(from, topic, 100, 1 << 20, out);
    taken.addAll(out);
    return step;
  }

  private static List<String> data(List<SseEvent> events) {
    List<String> data = new ArrayList<>();
    for (SseEvent event : events) {
      Matcher m = DATA.matcher(event.payloadText());
      while (m.find()) {
        data.add(m.group(1));
      }
    }
    return data;
  }

  @Test
  void clientsResumingFromOnePositionShareOneRunOfExactlyTheirTopicsEvents() {
    publish("a", "a1");
    publish("b", "b1");
    publish("a", "a2");
    publish("a", "a3");
    List<SseEvent> first = new ArrayList<>();
    List<SseEvent> second = new ArrayList<>();
    ReplaySource.Step one = replay(1, "a", first);
    ReplaySource.Step two = replay(1, "a", second);

    assertEquals(List.of("\"a1\"", "\"a2\"", "\"a3\""), data(first));
    assertEquals(1, first.size(), "one write");
    assertEquals(3, first.get(0).count());
    assertEquals(4, first.get(0).position(), "the run ends at the last event it carries");
    assertSame(first.get(0), second.get(0), "the second client shares the first one's run");
    assertEquals(5, one.next());
    assertTrue(one.caughtUp(), "decided over the history itself");
    assertEquals(5, two.next());
    assertFalse(two.caughtUp(), "a shared run never says caught up: a step over the history does");

    publish("a", "a4");
    List<SseEvent> rest = new ArrayList<>();
    ReplaySource.Step after = replay(two.next(), "a", rest);
    assertEquals(List.of("\"a4\""), data(rest), "what came after the run, once");
    assertTrue(after.caughtUp());
  }

  @Test
  void aRunOfEventsTheHistoryEvictedIsNotReplayed() {
    publish("a", "a1");
    publish("a", "a2");
    replay(1, "a", new ArrayList<>());
    for (int i = 0; i < 8; i++) {
      publish("b", "b" + i); // the history keeps 8 events: a1 and a2 are gone
    }
    List<SseEvent> out = new ArrayList<>();
    assertEquals(-1, replay(1, "a", out).next(), "evicted: the subscriber is cut, not given a stale run");
    assertTrue(out.isEmpty());
  }

  @Test
  void aSingleEventIsReplayedAsItselfAndNotKept() {
    publish("a", "a1");
    List<SseEvent> out = new ArrayList<>();
    replay(1, "a", out);
    assertEquals(List.of("\"a1\""), data(out));
    assertEquals(1, out.get(0).count());
  }
}
