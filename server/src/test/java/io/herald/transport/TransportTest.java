package io.herald.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.herald.config.HeraldConfig;
import org.junit.jupiter.api.Test;

class TransportTest {
  @Test
  void namesEveryTransportAndAutoPicksALoadableOne() {
    assertEquals(Transport.IO_URING, Transport.named("io_uring"));
    assertEquals(Transport.EPOLL, Transport.named("EPOLL"));
    assertEquals(Transport.NIO, Transport.named("nio"));
    assertEquals(Transport.auto(), Transport.named("auto"));
    assertTrue(Transport.auto().isAvailable());
    assertNull(Transport.named("kqueue"));
  }

  @Test
  void anUnknownTransportStopsTheStartNamingTheOption() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HeraldConfig.builder().transport("uring2").build());
    assertTrue(e.getMessage().startsWith("--transport must be one of auto, io_uring, epoll, nio"),
        e.getMessage());
  }

  @Test
  void anUnavailableTransportSaysWhy() {
    assumeTrue(!Transport.IO_URING.isAvailable(), "io_uring loads here");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, Transport.IO_URING::checkAvailable);
    assertTrue(e.getMessage().startsWith("--transport io_uring is not available here"));
  }
}
