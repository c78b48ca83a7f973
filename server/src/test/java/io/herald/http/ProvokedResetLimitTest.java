package io.herald.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.Test;

class ProvokedResetLimitTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void morePerWindowThanAllowedTripsAndANewWindowStartsAfresh() {
    ProvokedResetLimit limit = new ProvokedResetLimit(3, 30 * SECOND);
    long protocol = Http2Error.PROTOCOL_ERROR.code();
    assertFalse(limit.exceededBy(protocol, 0));
    assertFalse(limit.exceededBy(protocol, SECOND));
    assertFalse(limit.exceededBy(protocol, 2 * SECOND));
    assertTrue(limit.exceededBy(protocol, 3 * SECOND), "the fourth within 30 s");
    assertFalse(limit.exceededBy(protocol, 40 * SECOND), "a new window");
  }

  @Test
  void resetsHeraldChoosesItselfDoNotCount() {
    ProvokedResetLimit limit = new ProvokedResetLimit(1, 30 * SECOND);
    for (int i = 0; i < 100; i++) {
      assertFalse(limit.exceededBy(Http2Error.CANCEL.code(), i));
      assertFalse(limit.exceededBy(Http2Error.NO_ERROR.code(), i));
    }
    assertFalse(limit.exceededBy(Http2Error.STREAM_CLOSED.code(), 0));
    assertTrue(limit.exceededBy(Http2Error.STREAM_CLOSED.code(), 1));
  }
}
