package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.Http;
import io.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code GET /readyz} on a real server: ready once started, not after the stop began. */
class ReadinessTest {
  @Test
  void readyzIs200OnceEveryListenerIsBoundAndNotAfterStop() throws Exception {
    TestHerald herald = TestHerald.start();
    try {
      assertTrue(herald.server().isReady());
      HttpResponse<String> ready = Http.get(herald.adminPort(), "/readyz");
      assertEquals(200, ready.statusCode());
      assertEquals("ready\n", ready.body());
      assertEquals(
          "ok (open mode: no token key, anyone may read any topic)\n",
          Http.get(herald.adminPort(), "/healthz").body());
    } finally {
      herald.close();
    }
    assertFalse(herald.server().isReady());
  }
}
