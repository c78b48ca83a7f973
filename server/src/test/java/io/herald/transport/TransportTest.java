package io.herald.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void startingOnATransportChecksItCanRunHereAndSaysWhyNot() {
    for (Transport transport : Transport.values()) {
      if (transport.isAvailable()) {
        assertEquals(transport, transport.checkAvailable());
      } else {
        IllegalStateException e = assertThrows(IllegalStateException.class, transport::checkAvailable);
        assertTrue(e.getMessage().startsWith("--transport " + transport.label() + " is not available here: "),
            e.getMessage());
        assertNotNull(e.getCause(), "Netty's reason is kept");
      }
    }
  }
}
