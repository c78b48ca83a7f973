package io.herald.load.client;

import io.herald.load.sse.ChunkedBodyDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One SSE stream over HTTP/1.1: sends the request, reads the response head, then removes the
 * chunk framing and hands the body to its {@link StreamCheck}. The only handler of its channel.
 */
public final class StreamHandler extends ChannelInboundHandlerAdapter {
  private final byte[] request;
  private final StreamCheck check;
  private final ChunkedBodyDecoder chunked;
  private final StringBuilder head = new StringBuilder();
  private boolean headDone;
  private boolean isChunked;

  public StreamHandler(String host, String pathAndQuery, Streams streams, SingleWriterRecorder latency) {
    this.request =
        ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/event-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    this.check = new StreamCheck(streams, latency);
    this.chunked = new ChunkedBodyDecoder(check.parser());
  }

  public StreamCheck check() {
    return check;
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
        check.feed(in);
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
      head.append((char) in.readByte());
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
  public void channelInactive(ChannelHandlerContext ctx) {
    check.ended();
  }

  private void fail(ChannelHandlerContext ctx, String cause) {
    check.fail(cause);
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, cause instanceof java.io.IOException ? "reset" : "error");
  }
}
