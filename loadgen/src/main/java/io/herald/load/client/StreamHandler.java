package io.herald.load.client;

import io.herald.load.sse.ChunkedBodyDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * One SSE stream over HTTP/1.1: sends the request, reads the response head, then removes the
 * chunk framing and hands the body to its {@link StreamCheck}. The only handler of its channel;
 * one per connection. When the stream is churned, it retires (ignores whatever its closing
 * connection still delivers) and a new connection with a new handler resumes the same check.
 */
public final class StreamHandler extends ChannelInboundHandlerAdapter implements StreamCheck.Carrier {
  private final Dial dial;
  private final String host;
  private final String pathAndQuery;
  private final byte[] request;
  private final StreamCheck check;
  private final ChunkedBodyDecoder chunked;
  private final StringBuilder head = new StringBuilder();
  private ChannelHandlerContext ctx;
  private boolean headDone;
  private boolean isChunked;
  private boolean retired;

  private StreamHandler(Dial dial, String host, String pathAndQuery, StreamCheck check, String lastEventId) {
    this.dial = dial;
    this.host = host;
    this.pathAndQuery = pathAndQuery;
    this.request =
        ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/event-stream\r\n"
                + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n")
                + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    this.check = check;
    this.chunked = new ChunkedBodyDecoder(check.parser());
  }

  /** Opens the stream: connects through {@code dial} and sends the request once connected. */
  public static void open(Dial dial, String host, String pathAndQuery, StreamCheck check) {
    connect(dial, host, pathAndQuery, check, null);
  }

  private static void connect(Dial dial, String host, String pathAndQuery, StreamCheck check, String lastEventId) {
    dial.connect(new StreamHandler(dial, host, pathAndQuery, check, lastEventId))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                check.connectFailed(f.cause());
              }
            });
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    check.carriedBy(this);
  }

  /** Churn: this connection closes, and a new one asks to resume after {@code lastEventId}. */
  @Override
  public void resume(String lastEventId) {
    retired = true;
    ctx.close();
    connect(dial, host, pathAndQuery, check, lastEventId);
  }

  /** {@code --reconnect}: this connection is gone; a new one resumes after {@code lastEventId}. */
  @Override
  public void reopen(String lastEventId) {
    retired = true;
    connect(dial, host, pathAndQuery, check, lastEventId);
  }

  /** {@code --storm}: this connection closes; {@link #reopen} opens the next one later. */
  @Override
  public void leave() {
    retired = true;
    ctx.close();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(Unpooled.wrappedBuffer(request));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (retired || (!headDone && !readHead(ctx, in))) {
        return;
      }
      if (isChunked) {
        chunked.feed(in);
        if (chunked.isDone()) {
          ctx.close();
        }
      } else {
        check.parser().feed(in);
      }
    } catch (RuntimeException e) {
      fail(ctx, "bad-response");
    } finally {
      check.readDone();
      ReferenceCountUtil.release(in);
    }
  }

  /**
   * Ends the read here: the tail of the pipeline has nothing to do with it, and this is the
   * channel's only handler, so the walk to the tail is skipped once per read wake-up.
   */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {}

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
    if (!retired) {
      retired = true; // told once: with --reconnect the check reopens the stream on this news
      check.ended();
    }
  }

  private void fail(ChannelHandlerContext ctx, String cause) {
    if (!retired) {
      retired = true;
      check.fail(cause);
    }
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, cause instanceof java.io.IOException ? "reset" : "error");
  }
}
