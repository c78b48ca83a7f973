package io.herald.http;

import io.herald.sse.EventStream;
import io.herald.sse.SseEvent;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * An event stream on one HTTP/2 stream: events are DATA frames carrying the shared event-stream
 * text ({@link SseEvent#payload()}), subject to HTTP/2 flow control.
 *
 * <p>Flow control is the backpressure: the stream is writable while its window (and the
 * connection's) has room. What is written while it is not writable waits in Netty's flow
 * controller; those writes and bytes are what {@link #queuedWrites()} and {@link #queuedBytes()}
 * count (the window's worth already on its way is bounded by the client's own settings), so the
 * subscriber's queue bound resets the stream ({@code RST_STREAM CANCEL}) of a client that stops
 * reading it, while the connection's other streams keep flowing.
 */
final class Http2EventStream implements EventStream {
  private final ChannelHandlerContext ctx;
  private final Http2ConnectionEncoder encoder;
  private final Http2Stream stream;
  private final CoalescedFlush flush;
  private final ChannelPromise quiet;
  private int writesWhileBlocked;
  private long bytesWhileBlocked;

  Http2EventStream(
      ChannelHandlerContext ctx, Http2ConnectionEncoder encoder, Http2Stream stream, CoalescedFlush flush) {
    this.ctx = ctx;
    this.encoder = encoder;
    this.stream = stream;
    this.flush = flush;
    // DATA still held by the flow controller fails when its stream is reset — the expected end of
    // a stalled or cancelled stream. A plain void promise would fire that failure through the
    // pipeline as an exception, and the HTTP/2 handler would answer each with another
    // RST_STREAM: Herald would then count against its own reset limit for resets it caused.
    this.quiet = new VoidChannelPromise(ctx.channel(), false);
  }

  @Override
  public void writeEvent(SseEvent event) {
    countIfBlocked(event.size());
    encoder.writeData(ctx, stream.id(), event.payload(), 0, false, quiet);
  }

  @Override
  public void writeText(String text) {
    countIfBlocked(text.length());
    encoder.writeData(ctx, stream.id(), ByteBufUtil.writeUtf8(ctx.alloc(), text), 0, false, quiet);
  }

  private void countIfBlocked(int bytes) {
    if (!isWritable()) {
      writesWhileBlocked++;
      bytesWhileBlocked += bytes;
    }
  }

  /** The stream can take data again: nothing of ours is waiting behind its window. */
  void writable() {
    writesWhileBlocked = 0;
    bytesWhileBlocked = 0;
  }

  @Override
  public void flush() {
    ctx.channel().flush(); //TMP
  }

  @Override
  public boolean isWritable() {
    return ctx.channel().isWritable() && encoder.flowController().isWritable(stream);
  }

  @Override
  public long queuedBytes() {
    return bytesWhileBlocked;
  }

  @Override
  public int queuedWrites() {
    return writesWhileBlocked;
  }

  @Override
  public void end(String text) {
    encoder.writeData(ctx, stream.id(), ByteBufUtil.writeUtf8(ctx.alloc(), text), 0, true, ctx.newPromise());
    flush();
  }

  @Override
  public void abort() {
    encoder.writeRstStream(ctx, stream.id(), Http2Error.CANCEL.code(), ctx.newPromise());
    flush();
  }

  @Override
  public boolean isMultiplexed() {
    return true;
  }
}
