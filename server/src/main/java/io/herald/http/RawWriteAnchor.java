package io.herald.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;

/**
 * Marks the place in an HTTP/1.1 pipeline, just below the HTTP codec, where pre-framed event
 * chunks enter (see {@link Http1EventStream}). It handles nothing itself: its context is the
 * entry point.
 */
@ChannelHandler.Sharable
final class RawWriteAnchor extends ChannelDuplexHandler {
  static final RawWriteAnchor INSTANCE = new RawWriteAnchor();
  static final String NAME = "raw-writes";

  private RawWriteAnchor() {}
}
