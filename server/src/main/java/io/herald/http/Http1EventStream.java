package io.herald.http;

import io.herald.sse.EventStream;
import io.herald.sse.SseEvent;
import io.herald.transport.DirectSend;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandler;
import java.nio.charset.StandardCharsets;
import java.util.Map;

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
  /** The connection's, kept from the start (see {@link DirectSend}); null if it closed before. */
  private final ChannelOutboundBuffer out;
  private final DirectSend direct; // null: every write goes through the pipeline
  private int unflushed;
  private boolean sentDirectly; // since the last flush

  /**
   * @param raw the context of the {@link RawWriteAnchor} in this connection's pipeline
   * @param direct how events reach the socket when nothing is queued ahead of them, or null
   */
  Http1EventStream(ChannelHandlerContext raw, DirectSend direct) {
    this.raw = raw;
    this.out = raw.channel().unsafe().outboundBuffer();
    this.direct = direct;
  }

  /**
   * The stream on the connection of {@code raw}, sending events straight to the socket where the
   * transport allows it and nothing below the anchor (TLS) has to see the bytes.
   */
  static Http1EventStream on(ChannelHandlerContext raw) {
    return new Http1EventStream(raw, onlyTransportBelow(raw) ? DirectSend.forChannel(raw.channel()) : null);
  }

  /** Whether no outbound handler sits between the anchor and the transport. */
  static boolean onlyTransportBelow(ChannelHandlerContext raw) {
    for (Map.Entry<String, ChannelHandler> entry : raw.pipeline()) {
      if (entry.getValue() == raw.handler()) {
        return true;
      }
      if (entry.getValue() instanceof ChannelOutboundHandler) {
        return false;
      }
    }
    return false;
  }

  /**
   * Hands the shared chunk to the kernel at once when nothing waits ahead of it (no new buffer
   * reference, no outbound-buffer entry: see {@link DirectSend}); otherwise, and for whatever the
   * kernel does not take, writes through the pipeline to go out at the next flush. Either way the
   * bytes reach the socket in the order they were written.
   */
  @Override
  public void writeEvent(SseEvent event) {
    if (direct != null && unflushed == 0 && direct.isClear()) {
      ByteBuf chunk = event.http1ChunkView();
      int size = chunk.readableBytes();
      int sent = direct.send(chunk);
      if (sent == size) {
        sentDirectly = true;
        return;
      }
      if (sent > 0) {
        raw.write(chunk.retainedSlice(chunk.readerIndex() + sent, size - sent), raw.voidPromise());
        unflushed++;
        return;
      }
    }
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

  /**
   * Flushes what went through the pipeline. After only direct sends there is nothing to flush,
   * and the pipeline is not walked for it.
   */
  @Override
  public void flush() {
    if (sentDirectly && unflushed == 0 && direct.isClear()) {
      sentDirectly = false;
      return;
    }
    sentDirectly = false;
    unflushed = 0;
    raw.flush();
  }

  @Override
  public boolean isWritable() {
    return raw.channel().isWritable();
  }

  @Override
  public long queuedBytes() {
    return out == null ? 0 : out.totalPendingWriteBytes();
  }

  @Override
  public int queuedWrites() {
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
