package io.herald.http;

import io.herald.sse.EventStream;
import io.herald.sse.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An event stream on an HTTP/1.1 connection: a chunked response whose chunks are written
 * straight to the transport, below the HTTP codec.
 *
 * <p>Events arrive already framed as chunks ({@link SseEvent#http1Chunk()}), encoded once for all
 * connections, so passing them through the codec — which would frame each again, per connection
 * — would only cost time. Writes therefore go through the context of {@link RawWriteAnchor},
 * which sits between the transport (or TLS) and the codec. The codec wrote the response head, so
 * the bytes on the wire are a well-formed chunked response.
 */
final class Http1EventStream implements EventStream {
  private static final ByteBuf LAST_CHUNK =
      Unpooled.unreleasableBuffer(
          Unpooled.directBuffer(5).writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
          .asReadOnly();

  private final ChannelHandlerContext raw;
  private int unflushed;

  /** @param raw the context of the {@link RawWriteAnchor} in this connection's pipeline */
  Http1EventStream(ChannelHandlerContext raw) {
    this.raw = raw;
  }

  @Override
  public void writeEvent(SseEvent event) {
    raw.write(event.http1Chunk(), raw.voidPromise());
    unflushed++;
  }

  @Override
  public void writeText(String text) {
    raw.write(chunk(raw, text), raw.voidPromise());
    unflushed++;
  }

  static ByteBuf chunk(ChannelHandlerContext ctx, String text) {
    int length = ByteBufUtil.utf8Bytes(text);
    String size = Integer.toHexString(length);
    ByteBuf buf = ctx.alloc().buffer(size.length() + length + 4);
    buf.writeCharSequence(size, StandardCharsets.US_ASCII);
    buf.writeShort(('\r' << 8) | '\n');
    ByteBufUtil.writeUtf8(buf, text);
    buf.writeShort(('\r' << 8) | '\n');
    return buf;
  }

  @Override
  public void flush() {
    unflushed = 0;
    raw.flush();
  }

  @Override
  public boolean isWritable() {
    return raw.channel().isWritable();
  }

  @Override
  public long queuedBytes() {
    ChannelOutboundBuffer out = raw.channel().unsafe().outboundBuffer();
    return out == null ? 0 : out.totalPendingWriteBytes();
  }

  @Override
  public int queuedWrites() {
    ChannelOutboundBuffer out = raw.channel().unsafe().outboundBuffer();
    return (out == null ? 0 : out.size()) + unflushed;
  }

  @Override
  public void end(String text) {
    writeText(text);
    raw.writeAndFlush(LAST_CHUNK.duplicate()).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void abort() {
    raw.channel().close();
  }
}
