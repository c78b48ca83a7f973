package io.herald.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.history.EventId;
import io.herald.sse.SseEncoder;
import io.herald.sse.SseEvent;
import io.herald.testing.EmbeddedHttp;
import io.herald.transport.DirectSend;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 stream's two ways to the socket: straight to the kernel while nothing is queued
 * ({@link DirectSend}, here with a stand-in for the system call), through the pipeline otherwise;
 * the bytes in order either way, and every buffer reference given back.
 */
class Http1EventStreamTest {
  private static final EventId ID = new EventId(1700000000000L, 7);

  /** Stands in for {@code send(2)}: takes up to {@code room} bytes in all, or fails. */
  private static final class FakeKernel implements DirectSend.Sender {
    final StringBuilder taken = new StringBuilder();
    int room = Integer.MAX_VALUE;
    boolean fail;
    int calls;

    @Override
    public int send(ByteBuf buf) throws IOException {
      calls++;
      if (fail) {
        throw new IOException("Connection reset by peer");
      }
      int n = Math.min(room, buf.readableBytes());
      taken.append(buf.toString(buf.readerIndex(), n, StandardCharsets.US_ASCII));
      room -= n;
      return n;
    }
  }

  private final FakeKernel kernel = new FakeKernel();
  private final FlushCounter counter = new FlushCounter();
  private final EmbeddedChannel channel = new EmbeddedChannel(counter);
  private final Http1EventStream stream;
  private final SseEvent first = encode("first");
  private final SseEvent second = encode("second");

  Http1EventStreamTest() {
    channel.pipeline().addLast(RawWriteAnchor.NAME, RawWriteAnchor.INSTANCE);
    stream =
        new Http1EventStream(
            channel.pipeline().context(RawWriteAnchor.NAME), DirectSend.through(channel, kernel));
  }

  @AfterEach
  void giveBackTheEvents() {
    assertFalse(channel.finishAndReleaseAll(), "nothing left unread on the channel");
    assertEquals(1, first.refCnt(), "the stream kept or released no reference of its own");
    assertEquals(1, second.refCnt(), "the stream kept or released no reference of its own");
    first.release();
    second.release();
  }

  @Test
  void eventGoesStraightToTheSocketWhenNothingIsQueued() {
    stream.writeEvent(first);
    assertEquals(chunk(first), kernel.taken.toString());
    assertEquals(0, stream.queuedWrites());
    stream.flush();
    assertEquals(0, counter.flushes, "nothing went through the pipeline, so nothing to flush");
    assertNull(channel.readOutbound());
  }

  @Test
  void whatTheKernelDoesNotTakeWaitsInTheQueueAndFollowsInOrder() {
    kernel.room = 10;
    stream.writeEvent(first);
    assertEquals(1, stream.queuedWrites());
    stream.writeEvent(second); // something is queued ahead of it: through the pipeline
    assertEquals(1, kernel.calls);
    assertEquals(2, stream.queuedWrites());
    stream.flush();
    assertEquals(chunk(first) + chunk(second), kernel.taken + readAllOutbound());
  }

  @Test
  void kernelWithAFullBufferLeavesTheWholeEventToThePipeline() {
    kernel.room = 0;
    stream.writeEvent(first);
    stream.flush();
    assertEquals(1, counter.flushes);
    assertEquals(chunk(first), readAllOutbound());
  }

  @Test
  void socketThatFailsLeavesTheEventToThePipeline() {
    kernel.fail = true;
    stream.writeEvent(first);
    stream.flush();
    assertEquals("", kernel.taken.toString());
    assertEquals(chunk(first), readAllOutbound());
  }

  @Test
  void textWrittenAheadKeepsItsPlace() {
    stream.writeText(": ping\n\n");
    stream.writeEvent(first);
    assertEquals(0, kernel.calls, "a write waits unflushed ahead of the event");
    stream.flush();
    String wire = readAllOutbound();
    assertTrue(wire.endsWith(chunk(first)), wire);
    assertTrue(wire.contains(": ping"), wire);

    stream.writeEvent(second); // the queue has gone out: direct again
    assertEquals(chunk(second), kernel.taken.toString());
  }

  @Test
  void flushAfterDirectSendsStillFlushesWhatOthersWrote() {
    stream.writeEvent(first);
    channel.pipeline().context(RawWriteAnchor.NAME).write(Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII));
    stream.flush();
    assertEquals(1, counter.flushes);
    assertEquals("x", readAllOutbound());
  }

  @Test
  void directSendIsOnlyForAPipelineWithNothingOutboundBelowTheAnchor() {
    EmbeddedChannel plain = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    plain.pipeline().addLast(RawWriteAnchor.NAME, RawWriteAnchor.INSTANCE);
    assertTrue(Http1EventStream.onlyTransportBelow(plain.pipeline().context(RawWriteAnchor.NAME)));

    EmbeddedChannel tls = new EmbeddedChannel(new ChannelOutboundHandlerAdapter());
    tls.pipeline().addLast(RawWriteAnchor.NAME, RawWriteAnchor.INSTANCE);
    assertFalse(Http1EventStream.onlyTransportBelow(tls.pipeline().context(RawWriteAnchor.NAME)));

    assertNull(DirectSend.forChannel(plain), "no socket to send on outside the epoll transport");
    plain.finishAndReleaseAll();
    tls.finishAndReleaseAll();
  }

  private String readAllOutbound() {
    return EmbeddedHttp.written(channel);
  }

  private static String chunk(SseEvent event) {
    return event.http1ChunkView().toString(StandardCharsets.US_ASCII);
  }

  private static SseEvent encode(String data) {
    return SseEncoder.encode(ByteBufAllocator.DEFAULT, 1, ID, "t", null, data, 0);
  }
}
