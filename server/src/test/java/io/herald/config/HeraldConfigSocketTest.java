package io.herald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code --send-buffer}, {@code --tcp-keepalive-*}, {@code --admission-rate} and {@code
 * --resume-rate}: what the kernel can take, checked at start.
 */
class HeraldConfigSocketTest {
  private static String refusal(HeraldConfig.Builder builder) {
    return assertThrows(IllegalArgumentException.class, builder::build).getMessage();
  }

  @Test
  void defaultsAreA256KiBSendBufferAndKeepaliveAfter60sWith3ProbesEvery10s() {
    HeraldConfig config = HeraldConfig.builder().build();
    assertEquals(256 * 1024, config.sendBuffer);
    assertEquals(Duration.ofSeconds(60), config.tcpKeepaliveIdle);
    assertEquals(Duration.ofSeconds(10), config.tcpKeepaliveInterval);
    assertEquals(3, config.tcpKeepaliveCount);
  }

  @Test
  void zeroMeansTheKernelsSendBufferAndNoKeepalive() {
    HeraldConfig config =
        HeraldConfig.builder().sendBuffer(0).tcpKeepaliveIdle(Duration.ZERO).build();
    assertEquals(0, config.sendBuffer);
    assertEquals(Duration.ZERO, config.tcpKeepaliveIdle);
  }

  @Test
  void refusesSendBuffersTheKernelCannotTakeNamingTheOption() {
    assertEquals(
        "--send-buffer must be 0 (the kernel's autotuning) or from 4KiB to 64MiB (got 1000)",
        refusal(HeraldConfig.builder().sendBuffer(1000)));
    assertEquals(
        "--send-buffer must be 0 (the kernel's autotuning) or from 4KiB to 64MiB (got 134217728)",
        refusal(HeraldConfig.builder().sendBuffer(128 << 20)));
  }

  @Test
  void refusesKeepaliveTimesThatAreNotWholeSecondsTheKernelTakes() {
    assertEquals(
        "--tcp-keepalive-idle must be whole seconds from 1s to 32767s (or 0: keepalive off) (got 1500ms)",
        refusal(HeraldConfig.builder().tcpKeepaliveIdle(Duration.ofMillis(1500))));
    assertEquals(
        "--tcp-keepalive-idle must be whole seconds from 1s to 32767s (or 0: keepalive off) (got 10h)",
        refusal(HeraldConfig.builder().tcpKeepaliveIdle(Duration.ofHours(10))));
    assertEquals(
        "--tcp-keepalive-interval must be whole seconds from 1s to 32767s (got 0)",
        refusal(HeraldConfig.builder().tcpKeepaliveInterval(Duration.ZERO)));
    assertEquals(
        "--tcp-keepalive-count must be from 1 to 127 (got 0)",
        refusal(HeraldConfig.builder().tcpKeepaliveCount(0)));
    assertEquals(
        "--tcp-keepalive-count must be from 1 to 127 (got 128)",
        refusal(HeraldConfig.builder().tcpKeepaliveCount(128)));
  }

  @Test
  void newConnectionsArePacedAt10000ASecondByDefaultAndZeroTurnsThePacingOff() {
    assertEquals(10_000, HeraldConfig.builder().build().admissionRate);
    assertEquals(0, HeraldConfig.builder().admissionRate(0).build().admissionRate);
    assertEquals(
        "--admission-rate must be at least 0 (got -1)",
        refusal(HeraldConfig.builder().admissionRate(-1)));
  }

  @Test
  void resumedStreamsAreNotPacedByDefaultAndARateCanBeSet() {
    assertEquals(0, HeraldConfig.builder().build().resumeRate);
    assertEquals(5_000, HeraldConfig.builder().resumeRate(5_000).build().resumeRate);
    assertEquals(
        "--resume-rate must be at least 0 (got -1)",
        refusal(HeraldConfig.builder().resumeRate(-1)));
  }

  @Test
  void theWarmUpIsOffUnlessAskedForAndAtMostAMinute() {
    assertEquals(Duration.ZERO, HeraldConfig.builder().build().warmUp);
    assertEquals(Duration.ofSeconds(3), HeraldConfig.builder().warmUp(Duration.ofSeconds(3)).build().warmUp);
    assertEquals(
        "--warm-up must be from 0 (none) to 60s (got PT1M1S)",
        refusal(HeraldConfig.builder().warmUp(Duration.ofSeconds(61))));
    assertEquals(
        "--warm-up-streams must be at least 0 (got -1)",
        refusal(HeraldConfig.builder().warmUpStreams(-1)));
  }
}
