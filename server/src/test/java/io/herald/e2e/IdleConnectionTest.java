package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.KernelSockets;
import io.herald.testing.SseTestClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A client that vanishes without a FIN while its stream only carries heartbeats never fills the
 * socket, so only TCP keepalive can find it: every event-stream socket has the kernel's
 * keepalive timer running.
 */
class IdleConnectionTest extends HeraldTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void anIdleStreamSocketIsProbedByTcpKeepalive() throws Exception {
    start();
    try (SseTestClient client = SseTestClient.open(herald.httpPort(), "/events?topic=idle", Map.of())) {
      client.awaitComment(c -> c.startsWith(" herald") || c.startsWith("herald"), WAIT);
      KernelSockets.Entry socket = KernelSockets.find(herald.httpPort(), client.localPort());
      assertNotNull(socket, "Herald's side of the stream is in /proc/net/tcp");
      assertEquals(KernelSockets.Entry.KEEPALIVE, socket.timer(), "the keepalive timer is running");
      // /proc/net/tcp counts in clock ticks (USER_HZ, 100 per second): the first probe is due
      // within the idle time Herald sets, not the kernel's default of two hours.
      assertTrue(socket.timerTicks() <= (io.herald.HeraldServer.KEEPALIVE_IDLE_SECONDS + 1) * 100L,
          "first probe in " + socket.timerTicks() + " ticks");
    }
  }

  @Test
  void theKeepaliveIdleTimeIsASetting() throws Exception {
    start(b -> b.tcpKeepaliveIdle(Duration.ofSeconds(5)).tcpKeepaliveInterval(Duration.ofSeconds(2)));
    try (SseTestClient client = SseTestClient.open(herald.httpPort(), "/events?topic=idle", Map.of())) {
      client.awaitComment(c -> c.startsWith(" herald") || c.startsWith("herald"), WAIT);
      KernelSockets.Entry socket = KernelSockets.find(herald.httpPort(), client.localPort());
      assertNotNull(socket, "Herald's side of the stream is in /proc/net/tcp");
      assertEquals(KernelSockets.Entry.KEEPALIVE, socket.timer(), "the keepalive timer is running");
      assertTrue(socket.timerTicks() > 0 && socket.timerTicks() <= 6 * 100L,
          "first probe within the configured 5 s: " + socket.timerTicks() + " ticks");
    }
  }

  @Test
  void keepaliveIdleZeroTurnsKeepaliveOff() throws Exception {
    start(b -> b.tcpKeepaliveIdle(Duration.ZERO));
    try (SseTestClient client = SseTestClient.open(herald.httpPort(), "/events?topic=idle", Map.of())) {
      client.awaitComment(c -> c.startsWith(" herald") || c.startsWith("herald"), WAIT);
      KernelSockets.Entry socket = KernelSockets.find(herald.httpPort(), client.localPort());
      assertNotNull(socket, "Herald's side of the stream is in /proc/net/tcp");
      assertNotEquals(KernelSockets.Entry.KEEPALIVE, socket.timer(), "no keepalive timer");
    }
  }
}
