package io.herald.load.client;

import io.herald.load.measure.EventClock;
import io.herald.load.measure.EventFields;
import io.herald.load.measure.SequenceCheck;
import io.herald.load.sse.ChunkedBodyDecoder;
import io.herald.load.sse.SseStreamParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One SSE stream over HTTP/1.1: sends the request, reads the response head, then feeds the body
 * through the chunk decoder and the event parser, checking each event's sequence and recording
 * its latency. The only handler of its channel; one per stream.
 */
public final class StreamHandler extends ChannelInboundHandlerAdapter implements SseStreamParser.Sink {
  private final byte[] request;
  private final Streams streams;
  private final SingleWriterRecorder latency;
  private final SequenceCheck sequence = new SequenceCheck();
  private final SseStreamParser parser = new SseStreamParser(this);
  private final ChunkedBodyDecoder chunked = new ChunkedBodyDecoder(parser);
  private final StringBuilder head = new StringBuilder();
  private boolean headDone;
  private boolean isChunked;
  private boolean ready;
  private boolean failed;
  private final long startNanos = System.nanoTime();

  public StreamHandler(String host, String pathAndQuery, Streams streams, SingleWriterRecorder latency) {
    this.request =
        ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/event-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    this.streams = streams;
    this.latency = latency;
  }

  public SequenceCheck sequence() {
    return sequence;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(Unpooled.wrappedBuffer(request));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (!headDone && !readHead(ctx, in)) {
        return;
      }
      if (isChunked) {
        chunked.feed(in);
        if (chunked.isDone()) {
          ctx.close();
        }
      } else {
        parser.feed(in);
      }
    } catch (RuntimeException e) {
      fail(ctx, "bad-response");
    } finally {
      ReferenceCountUtil.release(in);
    }
  }

  /** Reads the status line and headers; true once the body starts in {@code in}. */
  private boolean readHead(ChannelHandlerContext ctx, ByteBuf in) {
    while (in.isReadable()) {
      char c = (char) in.readByte();
      head.append(c);
      int n = head.length();
      if (n >= 4 && head.charAt(n - 1) == '\n' && head.charAt(n - 2) == '\r'
          && head.charAt(n - 3) == '\n' && head.charAt(n - 4) == '\r') {
        headDone = true;
        String text = head.toString();
        int status = text.length() > 12 ? Integer.parseInt(text.substring(9, 12)) : -1;
        if (status != 200) {
          fail(ctx, "status-" + status);
          return false;
        }
        isChunked = text.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked");
        head.setLength(0);
        return true;
      }
      if (n > 16384) {
        fail(ctx, "bad-response");
        return false;
      }
    }
    return false;
  }

  @Override
  public void onEvent(byte[] data, int length, boolean namedEvent) {
    if (namedEvent) {
      streams.namedEvent();
      return;
    }
    long s = EventFields.number(data, length, 's');
    long t = EventFields.number(data, length, 't');
    if (s < 0 || t < 0) {
      streams.foreignEvent();
      return;
    }
    sequence.received(s);
    latency.recordValue(Math.max(0, EventClock.nowMicros() - t));
  }

  @Override
  public void onComment() {
    if (!ready) {
      ready = true;
      streams.ready(this, (System.nanoTime() - startNanos) / 1000);
    }
  }

  @Override
  public void onRetry(long millis) {}

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!failed) {
      streams.closed(this);
    }
  }

  private void fail(ChannelHandlerContext ctx, String cause) {
    if (!failed) {
      failed = true;
      streams.failed(cause, this);
    }
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, cause instanceof java.io.IOException ? "reset" : "error");
  }
}
