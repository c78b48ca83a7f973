package io.herald.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class StreamLimitsTest {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final String address = String.valueOf(channel.remoteAddress());

  @Test
  void aUserOverItsLimitIsRefusedWithoutHoldingAnAddressPlace() {
    StreamLimits limits = new StreamLimits(1, 10);
    Runnable first = limits.tryOpen("alice", channel);
    assertNotNull(first);
    assertNull(limits.tryOpen("alice", channel));
    assertEquals(1, limits.streamsFromAddress(address), "the refused stream gave its place back");
    assertNotNull(limits.tryOpen("bob", channel));
    first.run();
    assertEquals(0, limits.streamsOfUser("alice"));
    assertNotNull(limits.tryOpen("alice", channel), "a freed place is given again");
  }

  @Test
  void anAddressOverItsLimitIsRefusedWhateverTheUser() {
    StreamLimits limits = new StreamLimits(0, 2);
    Runnable a = limits.tryOpen(null, channel);
    assertNotNull(a);
    assertNotNull(limits.tryOpen("x", channel));
    assertNull(limits.tryOpen("y", channel));
    a.run();
    assertNotNull(limits.tryOpen(null, channel));
  }

  @Test
  void zeroMeansNoLimit() {
    StreamLimits limits = new StreamLimits(0, 0);
    for (int i = 0; i < 10_000; i++) {
      assertNotNull(limits.tryOpen("alice", channel));
    }
    assertEquals(0, limits.streamsOfUser("alice"), "nothing is counted when nothing is limited");
  }
}
