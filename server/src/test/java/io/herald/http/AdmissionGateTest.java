package io.herald.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How many new connections a loop starts reading per turn: one waiting line, as the connections
 * of one event loop share, whose next turn runs when the test says so.
 */
class AdmissionGateTest {
  private final List<Runnable> turns = new ArrayList<>();
  private final AdmissionGate.Line line = new AdmissionGate.Line(turns::add);
  private final List<EmbeddedChannel> channels = new ArrayList<>();

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

  private void turn() {
    assertEquals(1, turns.size(), "one turn is scheduled at a time");
    turns.remove(0).run();
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
    channel.pipeline().addLast(AdmissionGate.NAME, new AdmissionGate());
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
}
