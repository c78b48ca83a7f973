package io.herald.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The leak check itself must see a leak, or a green suite proves nothing. */
class NettyLeaksTest {
  @Test
  void aBufferDroppedWithoutReleaseIsReportedByTheCheck() {
    NettyLeaks.check(); // start clean
    leak();
    AssertionError failure = assertThrows(AssertionError.class, NettyLeaks::check);
    assertTrue(failure.getMessage().contains("leak"), failure.getMessage());
    assertFalse(failure.getMessage().isEmpty());
    NettyLeaks.drain();
  }

  private static void leak() {
    ByteBufAllocator.DEFAULT.directBuffer(64).writeLong(42); // never released, on purpose
  }
}
