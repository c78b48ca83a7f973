package io.herald.ingest;

import io.herald.fanout.Broadcaster;
import io.herald.metrics.HeraldStats;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.Channel;

/**
 * The TCP ingest pipeline, in order:
 *
 * <pre>
 * lines       newline-delimited frames, each at most --ingest-max-line bytes (longer: an error)
 * http-guard  closes a connection whose first line is an HTTP request (a browser tricked into
 *             posting to this port) before anything is published; then leaves the pipeline
 * ingest-auth with --ingest-secret: the first line must be {"auth":"<secret>"}, else an error
 *             and the close, nothing published; then leaves the pipeline
 * ingest      parses, publishes in batches, answers every line in order
 * </pre>
 */
public final class IngestServerInitializer extends ChannelInitializer<Channel> {
  private final Broadcaster broadcaster;
  private final Publisher publisher;
  private final HeraldStats stats;
  private final int maxLineBytes;
  private final ChannelGroup channels;
  private final byte[] secretDigest;

  public IngestServerInitializer(
      Broadcaster broadcaster, HeraldStats stats, int maxLineBytes, ChannelGroup channels) {
    this(broadcaster, Publisher.local(broadcaster), stats, maxLineBytes, channels, null);
  }

  /**
   * @param broadcaster whose congestion pauses publishers
   * @param publisher where accepted events go (the broadcaster itself, or Redis in cluster mode)
   * @param secret what the first line must carry ({@code --ingest-secret}), or null for none
   */
  public IngestServerInitializer(
      Broadcaster broadcaster,
      Publisher publisher,
      HeraldStats stats,
      int maxLineBytes,
      ChannelGroup channels,
      byte[] secret) {
    this.secretDigest = secret == null ? null : IngestAuth.digest(secret);
    this.broadcaster = broadcaster;
    this.publisher = publisher;
    this.stats = stats;
    this.maxLineBytes = maxLineBytes;
    this.channels = channels;
  }

  @Override
  protected void initChannel(Channel ch) {
    channels.add(ch);
    // A publisher that half-closes after its last line still gets every answer: the channel
    // stays open for writing until they are out (IngestHandler closes it then).
    ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    ch.pipeline()
        .addLast("lines", new IngestLineDecoder(maxLineBytes))
        .addLast("http-guard", new HttpRequestGuard(stats::ingestRefusedHttp));
    if (secretDigest != null) {
      ch.pipeline().addLast(IngestAuth.NAME, new IngestAuth(secretDigest, stats::ingestError));
    }
    ch.pipeline().addLast("ingest", new IngestHandler(broadcaster, publisher, stats));
  }
}
