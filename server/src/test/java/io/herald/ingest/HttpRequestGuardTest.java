package io.herald.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpRequestGuardTest {
  private final AtomicInteger refused = new AtomicInteger();

  private EmbeddedChannel channel() {
    return new EmbeddedChannel(
        new IngestLineDecoder(1024), new HttpRequestGuard(refused::incrementAndGet));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET / HTTP/1.1", "POST /x HTTP/1.0", "PUT /a?b=c HTTP/1.1", "OPTIONS * HTTP/1.1",
        "POST / HTTP/2"
      })
  void closesAtOnceWhenTheFirstLineIsAnHttpRequestAndPassesNothingOn(String requestLine) {
    EmbeddedChannel channel = channel();
    channel.writeInbound(
        Unpooled.copiedBuffer(
            requestLine + "\r\nHost: x\r\n\r\n{\"topic\":\"t\",\"data\":1}\n", StandardCharsets.UTF_8));
    assertNull(channel.readInbound());
    assertFalse(channel.isOpen());
    assertEquals(1, refused.get());
    channel.finishAndReleaseAll();
  }

  @Test
  void requestLineLongerThanTheLineLimitStillClosesTheConnection() {
    EmbeddedChannel channel = channel(); // line limit 1024
    channel.writeInbound(
        Unpooled.copiedBuffer(
            "POST /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n{\"topic\":\"t\",\"data\":1}\n",
            StandardCharsets.UTF_8));
    assertNull(channel.readInbound());
    assertFalse(channel.isOpen());
    assertEquals(1, refused.get());
    channel.finishAndReleaseAll();
  }

  @Test
  void jsonFirstLinePassesAndTheGuardLeavesThePipeline() {
    EmbeddedChannel channel = channel();
    channel.writeInbound(
        Unpooled.copiedBuffer(
            "{\"topic\":\"t\",\"data\":1}\nGET / HTTP/1.1\n", StandardCharsets.UTF_8));
    assertEquals("{\"topic\":\"t\",\"data\":1}", ((IngestLine) channel.readInbound()).text());
    assertEquals("GET / HTTP/1.1", ((IngestLine) channel.readInbound()).text(), "only the first line is checked");
    assertNull(channel.pipeline().get(HttpRequestGuard.class));
    assertTrue(channel.isOpen());
    assertEquals(0, refused.get());
    channel.finishAndReleaseAll();
  }
}
