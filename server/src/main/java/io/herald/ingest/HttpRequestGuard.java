package io.herald.ingest;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.regex.Pattern;

/**
 * Closes an ingest connection whose first line is an HTTP request line, before anything on it is
 * published. A web page can make a browser POST to {@code 127.0.0.1:7070} (a cross-protocol
 * request); the body would then be read as ingest lines. The request line always comes first,
 * so checking it is enough: the connection is closed and every line already decoded after it is
 * dropped. A connection whose first line is not HTTP keeps going, and the guard removes itself.
 *
 * <p>Between the line decoder and the ingest handler; one per connection.
 */
public final class HttpRequestGuard extends ChannelInboundHandlerAdapter {
  private static final Pattern REQUEST_LINE =
      Pattern.compile("^[A-Z][A-Z_-]{0,31} \\S+ HTTP/\\d(\\.\\d)?\\s*$");

  private final Runnable onRefused;
  private boolean refused;

  /** @param onRefused counts a refused connection (for stats) */
  public HttpRequestGuard(Runnable onRefused) {
    this.onRefused = onRefused;
  }

  /**
   * The start of a request line, for a first line too long to keep whole: a page can make its
   * URL longer than the line limit, and the body after it must still never be published.
   */
  private static final Pattern REQUEST_LINE_START =
      Pattern.compile("^[A-Z][A-Z_-]{0,31} (/|\\*|https?://)");

  static boolean looksLikeHttp(IngestLine line) {
    if (line.text() == null) {
      return false;
    }
    return line.problem() == null
        ? REQUEST_LINE.matcher(line.text()).matches()
        : REQUEST_LINE_START.matcher(line.text()).find();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof IngestLine line && looksLikeHttp(line)) {
      refused = true;
      onRefused.run();
      ctx.close();
      return;
    }
    ctx.pipeline().remove(this);
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!refused) {
      ctx.fireChannelReadComplete();
    }
  }
}
