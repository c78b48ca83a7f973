package io.herald.http;

import io.herald.metrics.HeraldStats;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

/** The public plaintext pipeline for tests on an embedded channel: HTTP/1.1 only, no TLS. */
final class PlaintextPipeline {
  private PlaintextPipeline() {}

  static HttpServerInitializer initializer(HttpRouter router, HeraldStats stats) {
    return new HttpServerInitializer(
        new ConnectionLimiter(10, stats),
        router,
        () -> null, // HTTP/2 is never negotiated here
        1024,
        new DefaultChannelGroup(GlobalEventExecutor.INSTANCE),
        null);
  }
}
