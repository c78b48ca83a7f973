package io.herald.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * What an HTTP/2 client would send, as bytes to feed a server-side channel: frames are encoded by
 * Netty's own {@link DefaultHttp2FrameWriter} (one writer, so HPACK state carries over between
 * requests as on a real connection) into an {@link EmbeddedChannel} and collected from its
 * outbound side. The caller owns each returned buffer.
 */
final class Http2ClientFrames {
  private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
  private final ChannelHandlerContext ctx = channel.pipeline().firstContext();
  private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();

  /** The connection preface followed by the client's SETTINGS. */
  ByteBuf preface(Http2Settings settings) {
    ctx.write(Http2CodecUtil.connectionPrefaceBuf());
    writer.writeSettings(ctx, settings, ctx.newPromise());
    return take();
  }

  /** HEADERS (with END_STREAM) opening the client streams 1, 3, 5, ... one per request. */
  ByteBuf requests(int count, Http2Headers headers) {
    for (int i = 0; i < count; i++) {
      writer.writeHeaders(ctx, streamId(i), headers, 0, true, ctx.newPromise());
    }
    return take();
  }

  ByteBuf windowUpdate(int streamId, int increment) {
    writer.writeWindowUpdate(ctx, streamId, increment, ctx.newPromise());
    return take();
  }

  /** The id of the {@code i}-th stream {@link #requests} opened. */
  static int streamId(int i) {
    return 2 * i + 1;
  }

  void close() {
    channel.finishAndReleaseAll();
    writer.close();
  }

  private ByteBuf take() {
    channel.flush();
    CompositeByteBuf out = Unpooled.compositeBuffer(Integer.MAX_VALUE);
    ByteBuf buf;
    while ((buf = channel.readOutbound()) != null) {
      out.addComponent(true, buf);
    }
    return out;
  }
}
