package io.herald.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.history.EventHistory;
import io.herald.history.EventId;
import io.herald.history.EventIdGenerator;
import io.herald.ingest.PublishRequest;
import io.herald.metrics.HeraldStats;
import io.herald.sse.ReplaySource;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Events with ids given by the shared log, and where a resuming client starts on this node. */
class BroadcasterClusterTest {
  private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final long now = System.currentTimeMillis();

  @AfterEach
  void stop() {
    loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private Broadcaster broadcaster(boolean cluster) {
    return new Broadcaster(
        loops,
        ByteBufAllocator.DEFAULT,
        new EventHistory(100, 1 << 20),
        new EventIdGenerator(System::currentTimeMillis),
        64,
        new HeraldStats(),
        cluster);
  }

  private static Broadcaster.Given given(long millis, long seq) {
    return new Broadcaster.Given(new EventId(millis, seq), new PublishRequest("t", null, "x"));
  }

  @Test
  void deliversGivenIdsInOrderAndSkipsAnyThatIsNotNewer() {
    Broadcaster b = broadcaster(true);
    try {
      assertEquals(0, b.deliver(List.of(given(now, 0), given(now, 1))));
      assertEquals(2, b.deliver(List.of(given(now, 1), given(now - 1, 5), given(now, 2))));
      assertEquals(3, b.historyView().events());
      ReplaySource.Start start = b.start(new EventId(now, 0).toString());
      assertEquals(2, start.replayFrom(), "resumes after the first event, from local history");
    } finally {
      b.releaseHistory();
    }
  }

  @Test
  void aClientAheadOfThisNodesReaderGoesLiveSkippingThroughItsIdInsteadOfAReset() {
    Broadcaster b = broadcaster(true);
    try {
      b.deliver(List.of(given(now, 0), given(now, 1)));
      ReplaySource.Start ahead = b.start(new EventId(now, 7).toString());
      assertEquals(-1, ahead.replayFrom());
      assertEquals(2, ahead.livePosition());
      assertEquals(new EventId(now, 7), ahead.skipThrough());
      assertTrue(!ahead.reset());

      ReplaySource.Start future = b.start(new EventId(now + 3_600_000, 0).toString());
      assertTrue(future.reset(), "an id an hour ahead of this clock is not trusted");
      ReplaySource.Start unknownOlder = b.start(new EventId(now - 1, 0).toString());
      assertTrue(unknownOlder.reset(), "older than what this node holds: a reset, never a gap");
      assertNull(unknownOlder.skipThrough());
    } finally {
      b.releaseHistory();
    }
  }

  @Test
  void onOneNodeOrBeforeReadingAnythingANewerIdIsAReset() {
    Broadcaster single = broadcaster(false);
    Broadcaster fresh = broadcaster(true);
    try {
      single.publish(List.of(new PublishRequest("t", null, "x")));
      assertTrue(single.start(new EventId(now + 1000, 0).toString()).reset());
      assertTrue(fresh.start(new EventId(now, 0).toString()).reset());
    } finally {
      single.releaseHistory();
      fresh.releaseHistory();
    }
  }
}
