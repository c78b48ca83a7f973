package io.herald.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.auth.CorsPolicy;
import io.herald.fanout.Broadcaster;
import io.herald.history.EventHistory;
import io.herald.history.EventIdGenerator;
import io.herald.ingest.PublishRequest;
import io.herald.metrics.HeraldStats;
import io.herald.sse.RetryPolicy;
import io.herald.sse.Subscriber;
import io.herald.testing.EmbeddedHttp;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an HTTP/1.1 connection keeps once it carries an event stream: the handlers that only
 * served its request are gone, and the stream still gets its events, ignores what the client
 * sends, and gives everything back when it closes. Through the plaintext pipeline on an {@link
 * EmbeddedChannel}, with a real broadcaster on the channel's loop.
 */
class EventStreamPipelineTest {
  private static final Subscriber.Limits LIMITS =
      new Subscriber.Limits(16, 1 << 20, 60_000_000_000L, 60_000_000_000L);

  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final HeraldStats stats = new HeraldStats();
  private final EventHistory history = new EventHistory(64, 1 << 20);
  private final Broadcaster broadcaster =
      new Broadcaster(
          channel.eventLoop(),
          ByteBufAllocator.DEFAULT,
          history,
          new EventIdGenerator(System::currentTimeMillis),
          64,
          stats);

  EventStreamPipelineTest() {
    EventsRoute events = new EventsRoute(broadcaster, LIMITS, new RetryPolicy(3000), 4, 0, stats);
    HttpRouter router =
        new HttpRouter(events, new PublishRoute(null, false, stats), CorsPolicy.none(), false);
    channel
        .pipeline()
        .addLast(PlaintextPipeline.initializer(router, stats));
    // Added to a channel that is active already: this is the admission its gate would give.
    assertEquals(
        List.of(ConnectionLimiter.NAME, AdmissionGate.NAME, "http1-setup", HeaderTimeout.NAME),
        channel.pipeline().names().subList(0, 4),
        "a connection waiting to be admitted holds no HTTP handlers yet");
    channel.pipeline().fireUserEventTriggered(AdmissionGate.ADMITTED);
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
    broadcaster.releaseHistory();
  }

  private String written() {
    channel.runPendingTasks();
    return EmbeddedHttp.written(channel);
  }

  private String openStream() {
    String head = EmbeddedHttp.exchange(channel, "GET /events?topic=a HTTP/1.1\r\nHost: h\r\n\r\n");
    return head + written();
  }

  @Test
  void anAdmittedConnectionHasTheWholeHttpPipeline() {
    List<String> names = channel.pipeline().names();
    assertFalse(names.contains("http1-setup"), names.toString());
    for (String name :
        List.of(RawWriteAnchor.NAME, HeaderTimeout.NAME, HttpServerInitializer.AGGREGATOR,
            CorsResponseHeaders.NAME, HttpServerInitializer.ROUTER)) {
      assertTrue(names.contains(name), name + " in " + names);
    }
    assertTrue(channel.pipeline().get(io.netty.handler.codec.http.HttpServerCodec.class) != null);
    assertTrue(names.indexOf(RawWriteAnchor.NAME) < names.indexOf(HeaderTimeout.NAME), names.toString());
  }

  @Test
  void aStreamKeepsOnlyTheConnectionLimitTheRawWritesAndItsOwnHandler() {
    String opening = openStream();
    assertTrue(opening.startsWith("HTTP/1.1 200 OK\r\n"), opening);
    assertTrue(opening.contains("retry: 3000"), opening);
    assertEquals(
        List.of(ConnectionLimiter.NAME, RawWriteAnchor.NAME, EventStreamHandler.NAME),
        channel.pipeline().names().subList(0, 3));
    assertEquals(4, channel.pipeline().names().size(), channel.pipeline().names().toString()); // + tail
    assertTrue(HttpServerInitializer.isEventStream(channel));
  }

  @Test
  void eventsStillArriveAsChunksAfterTheCodecIsGone() {
    openStream();
    broadcaster.publish(List.of(new PublishRequest("a", null, "\"hello\"")));
    String event = written();
    assertTrue(event.contains("data: \"hello\"\n"), event);
    assertTrue(event.matches("(?s)[0-9a-f]+\r\n.*\r\n"), "one chunk: " + event);
  }

  @Test
  void bytesTheClientSendsOnAStreamAreDiscardedAndReleased() {
    openStream();
    ByteBuf more = Unpooled.copiedBuffer("GET /x HTTP/1.1\r\nHost: h\r\n\r\n", StandardCharsets.US_ASCII);
    channel.writeInbound(more);
    assertEquals(0, more.refCnt());
    assertEquals("", written(), "no answer on a stream");
    assertTrue(channel.isOpen());
  }

  @Test
  void requestBytesThatCameWithTheStreamRequestAreDiscardedToo() {
    // A pipelined second request in the same read: the codec forwards what it had not decoded
    // when it is removed, and the stream handler releases it.
    String both =
        "GET /events?topic=a HTTP/1.1\r\nHost: h\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n";
    ByteBuf in = Unpooled.copiedBuffer(both, StandardCharsets.US_ASCII);
    channel.writeInbound(in);
    assertEquals(0, in.refCnt());
    String out = written();
    assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), out);
    assertFalse(out.contains("404"), out);
  }

  @Test
  void closingAStreamUnsubscribesIt() {
    openStream();
    assertEquals(1, stats.streams());
    channel.close();
    channel.runPendingTasks();
    assertEquals(0, stats.streams());
  }
}
