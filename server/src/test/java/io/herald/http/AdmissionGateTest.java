package io.herald.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.fanout.Pace;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How many new connections a loop starts reading per turn and per second: one waiting line, as
 * the connections of one event loop share, whose next turn runs when the test says so, on a
 * clock the test moves.
 */
class AdmissionGateTest {
  /** 1,000 connections a second on this loop: one a millisecond. */
  private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(1);

  private final List<Runnable> turns = new ArrayList<>();
  private final List<Long> delays = new ArrayList<>();
  private long now = 1_000_000_000L;
  private AdmissionGate.Line line = unpaced();
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  private AdmissionGate.Line unpaced() {
    return new AdmissionGate.Line(0, this::schedule, () -> now);
  }

  private AdmissionGate.Line paced() {
    return new AdmissionGate.Line(INTERVAL, this::schedule, () -> now);
  }

  private void schedule(Runnable task, long delayNanos) {
    turns.add(task);
    delays.add(delayNanos);
  }

  @AfterEach
  void close() {
    for (EmbeddedChannel channel : channels) {
      channel.finishAndReleaseAll();
    }
  }

  private EmbeddedChannel connect() throws Exception {
    EmbeddedChannel channel = new EmbeddedChannel();
    AdmissionGate.holdReads(channel);
    line.admit(channel);
    channels.add(channel);
    return channel;
  }

  /** Runs the one scheduled turn and returns the delay it was scheduled with. */
  private long turn() {
    assertEquals(1, turns.size(), "one turn is scheduled at a time");
    long delay = delays.remove(0);
    turns.remove(0).run();
    return delay;
  }

  private long reading() {
    return channels.stream().filter(c -> c.config().isAutoRead()).count();
  }

  @Test
  void aConnectionAloneIsReadAtOnce() throws Exception {
    EmbeddedChannel channel = connect();
    assertTrue(channel.config().isAutoRead());
    turn();
    assertTrue(turns.isEmpty(), "with nobody waiting the line goes quiet");
  }

  @Test
  void aRealConnectionStartsWithReadsHeldAndIsReadOnceActive() throws Exception {
    EmbeddedChannel channel = new EmbeddedChannel(false, false);
    AdmissionGate.holdReads(channel);
    channel.pipeline().addLast(AdmissionGate.NAME, new AdmissionGate(INTERVAL));
    channels.add(channel);
    assertFalse(channel.config().isAutoRead());
    channel.register();
    assertTrue(channel.config().isAutoRead(), "admitted when active");
  }

  @Test
  void aStormIsReadAFixedNumberPerTurnInArrivalOrder() throws Exception {
    int storm = 2 * AdmissionGate.PER_TURN + 10;
    for (int i = 0; i < storm; i++) {
      connect();
    }
    assertEquals(AdmissionGate.PER_TURN, reading(), "the first turn's share is read at once");
    assertFalse(channels.get(AdmissionGate.PER_TURN).config().isAutoRead());

    turn();
    assertEquals(2 * AdmissionGate.PER_TURN, reading());
    assertTrue(channels.get(2 * AdmissionGate.PER_TURN - 1).config().isAutoRead(), "in arrival order");
    turn();
    assertEquals(storm, reading(), "everyone is read within a few turns");
  }

  @Test
  void aConnectionThatClosesWhileItWaitsGivesItsPlaceToTheNext() throws Exception {
    for (int i = 0; i < AdmissionGate.PER_TURN + 2; i++) {
      connect();
    }
    EmbeddedChannel gone = channels.get(AdmissionGate.PER_TURN);
    gone.close();
    turn();
    assertTrue(channels.get(AdmissionGate.PER_TURN + 1).config().isAutoRead());
    assertEquals(AdmissionGate.PER_TURN + 1, reading(), "the closed one is skipped");
  }

  @Test
  void aPacedStormTakesOneBurstAtOnceThenOneConnectionPerIntervalInArrivalOrder() throws Exception {
    line = paced();
    int storm = AdmissionGate.BURST + 10;
    for (int i = 0; i < storm; i++) {
      connect();
    }
    assertEquals(AdmissionGate.BURST, reading(), "a burst is read at once");

    assertEquals(0, turn(), "the turn the first connection scheduled");
    assertEquals(AdmissionGate.BURST, reading(), "not a connection more before its time");

    now += INTERVAL;
    assertEquals(INTERVAL, turn());
    assertEquals(AdmissionGate.BURST + 1, reading());
    assertTrue(channels.get(AdmissionGate.BURST).config().isAutoRead(), "in arrival order");

    now += 3 * INTERVAL;
    turn();
    assertEquals(AdmissionGate.BURST + 4, reading(), "time gone by is admitted in one turn");

    now += 100 * INTERVAL;
    turn();
    assertEquals(storm, reading(), "everyone is read in the end");
    turn();
    assertTrue(turns.isEmpty(), "with nobody waiting the line goes quiet");
  }

  @Test
  void aPacedLineAfterAQuietSpellReadsANewConnectionAtOnce() throws Exception {
    line = paced();
    for (int i = 0; i < AdmissionGate.BURST + 1; i++) {
      connect();
    }
    now += INTERVAL;
    turn();
    turn();
    assertTrue(turns.isEmpty());
    assertEquals(AdmissionGate.BURST + 1, reading());

    now += AdmissionGate.BURST * INTERVAL;
    EmbeddedChannel late = connect();
    assertTrue(late.config().isAutoRead(), "the allowance is back: no wait");
  }

  @Test
  void aNewConnectionQueuesBehindThoseWaitingEvenWhenTheAllowanceIsBack() throws Exception {
    line = paced();
    for (int i = 0; i < AdmissionGate.BURST + 2; i++) {
      connect();
    }
    now += 2 * INTERVAL; // allowance for two, but the turn has not run yet
    EmbeddedChannel late = connect();
    assertFalse(late.config().isAutoRead(), "those waiting go first");
    turn();
    assertTrue(channels.get(AdmissionGate.BURST + 1).config().isAutoRead());
    assertFalse(late.config().isAutoRead(), "its turn is after theirs");
  }

  @Test
  void theRateIsSharedOutOverTheEventLoops() {
    assertEquals(0, Pace.intervalNanos(0, 2), "0: no pacing by time");
    assertEquals(TimeUnit.MILLISECONDS.toNanos(1), Pace.intervalNanos(2_000, 2));
    assertEquals(TimeUnit.MICROSECONDS.toNanos(250), Pace.intervalNanos(4_000, 1));
    assertThrows(IllegalArgumentException.class, () -> Pace.intervalNanos(-1, 2));
  }
}
