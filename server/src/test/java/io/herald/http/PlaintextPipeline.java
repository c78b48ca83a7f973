package io.herald.http;

import io.herald.auth.CorsPolicy;
import io.herald.ingest.Publisher;
import io.herald.metrics.HeraldStats;
import io.herald.sse.RetryPolicy;
import io.herald.sse.Subscriber;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

/** The public plaintext pipeline for tests on an embedded channel: HTTP/1.1 only, no TLS. */
final class PlaintextPipeline {
  private PlaintextPipeline() {}

  /**
   * An embedded connection through the whole plaintext pipeline whose streams have no broadcaster
   * (none is opened) and whose POSTs go to {@code publisher}; null with HTTP publishing off.
   */
  static EmbeddedChannel channel(Publisher publisher, HeraldStats stats) {
    return new EmbeddedChannel(
        initializer(
            new HttpRouter(
                new EventsRoute(null, new Subscriber.Limits(16, 4096, 1, 1), new RetryPolicy(3000), 2, 0, stats),
                new PublishRoute(publisher, publisher != null, stats),
                CorsPolicy.none(),
                false),
            stats));
  }

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
