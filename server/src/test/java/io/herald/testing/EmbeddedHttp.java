package io.herald.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;

/** Raw HTTP/1.1 through an {@link EmbeddedChannel}: the request in, every byte written out. */
public final class EmbeddedHttp {
  private EmbeddedHttp() {}

  /** Writes {@code request} inbound and returns what the pipeline wrote back, as text. */
  public static String exchange(EmbeddedChannel channel, String request) {
    channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
    return written(channel);
  }

  /** Every byte the channel has written out so far, as text (the buffers are released). */
  public static String written(EmbeddedChannel channel) {
    StringBuilder out = new StringBuilder();
    ByteBuf buf;
    while ((buf = channel.readOutbound()) != null) {
      out.append(buf.toString(StandardCharsets.UTF_8));
      buf.release();
    }
    return out.toString();
  }
}
