package io.herald.http;

import io.herald.auth.AccessDenied;
import io.herald.auth.Authenticator;
import io.herald.auth.Grants;
import io.herald.fanout.Broadcaster;
import io.herald.fanout.LoopDispatcher;
import io.herald.fanout.Pace;
import io.herald.fanout.ResumeLine;
import io.herald.metrics.HeraldStats;
import io.herald.sse.DisconnectReason;
import io.herald.sse.EventStream;
import io.herald.sse.RetryPolicy;
import io.herald.sse.SseFrames;
import io.herald.sse.Subscriber;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.FastThreadLocal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /events}: validates the request, answers with the event-stream response head and
 * its opening bytes at once, and hands the connection to its event loop's dispatcher.
 *
 * <p>Refusals that a browser should act on are 400 with a reason. Being over the connection
 * limit is not one of them: a non-200 answer makes {@code EventSource} give up for good, so the
 * client gets 200, a jittered {@code retry:}, and the end of the stream — it comes back later.
 */
public final class EventsRoute {
  private final Broadcaster broadcaster;
  private final Subscriber.Limits limits;
  private final RetryPolicy retry;
  private final int maxTopics;
  private final int padding;
  private final HeraldStats stats;

  /** Where stream figures are counted (also by the HTTP/2 handler for its connections). */
  HeraldStats stats() {
    return stats;
  }
  private final Authenticator auth;
  private final StreamLimits streamLimits;
  private final long resumeIntervalNanos;
  /** Each event loop's line of resumed streams waiting to start; made on first use. */
  private final FastThreadLocal<ResumeLine> resumeLines = new FastThreadLocal<>();

  /** In open mode: anyone may read any topic. */
  public EventsRoute(
      Broadcaster broadcaster,
      Subscriber.Limits limits,
      RetryPolicy retry,
      int maxTopics,
      int padding,
      HeraldStats stats) {
    this(broadcaster, limits, retry, maxTopics, padding, stats, Authenticator.open(false));
  }

  public EventsRoute(
      Broadcaster broadcaster,
      Subscriber.Limits limits,
      RetryPolicy retry,
      int maxTopics,
      int padding,
      HeraldStats stats,
      Authenticator auth) {
    this(broadcaster, limits, retry, maxTopics, padding, stats, auth, StreamLimits.NONE);
  }

  public EventsRoute(
      Broadcaster broadcaster,
      Subscriber.Limits limits,
      RetryPolicy retry,
      int maxTopics,
      int padding,
      HeraldStats stats,
      Authenticator auth,
      StreamLimits streamLimits) {
    this(broadcaster, limits, retry, maxTopics, padding, stats, auth, streamLimits, 0);
  }

  /**
   * @param resumeIntervalNanos per event loop, the time between two resumed streams' starts
   *     ({@link Pace#intervalNanos} of {@code --resume-rate}); 0: no pacing
   */
  public EventsRoute(
      Broadcaster broadcaster,
      Subscriber.Limits limits,
      RetryPolicy retry,
      int maxTopics,
      int padding,
      HeraldStats stats,
      Authenticator auth,
      StreamLimits streamLimits,
      long resumeIntervalNanos) {
    this.resumeIntervalNanos = resumeIntervalNanos;
    this.auth = auth;
    this.streamLimits = streamLimits;
    this.broadcaster = broadcaster;
    this.limits = limits;
    this.retry = retry;
    this.maxTopics = maxTopics;
    this.padding = padding;
    this.stats = stats;
  }

  /**
   * Checks a subscription request and the subscriber's rights to it, whatever the protocol. The
   * topics are decided here, before anything is subscribed or replayed, so a refused topic
   * delivers nothing, live or from the history.
   *
   * @param authorization the {@code Authorization} header, or null
   * @param cookies every {@code Cookie} header
   * @throws SubscribeRequest.Invalid with the reason for a 400
   * @throws AccessDenied with the reason for a 401 or 403
   */
  SubscribeRequest parse(
      String uri, String lastEventIdHeader, String authorization, List<String> cookies) {
    try {
      QueryStringDecoder query = new QueryStringDecoder(uri);
      SubscribeRequest request =
          SubscribeRequest.parse(query, lastEventIdHeader, maxTopics, !auth.isOpen());
      Authenticator.Subscription allowed =
          auth.subscriber(request.topics(), authorization, cookies, query);
      return request.authorized(allowed.topics(), allowed.grants());
    } catch (SubscribeRequest.Invalid | AccessDenied refused) {
      stats.requestRejected();
      throw refused;
    }
  }

  /**
   * Counts a stream against {@code --max-connections} and the per-user and per-address limits.
   *
   * @return what to run when the stream ends (give it to {@link #subscriber}), or null when the
   *     stream is over a limit and must be {@link #refuse refused}
   */
  Runnable admit(Channel channel, SubscribeRequest request) {
    if (ConnectionLimiter.isOverLimit(channel)) {
      return null;
    }
    return streamLimits.tryOpen(
        request.grants() == null ? null : request.grants().subject(), channel);
  }

  /**
   * A subscriber for a stream whose response head is written; {@link #start} starts it.
   *
   * @param release from {@link #admit}: runs once when the subscription ends, however it ends
   */
  Subscriber subscriber(EventStream stream, SubscribeRequest request, Runnable release) {
    Subscriber subscriber = new Subscriber(stream, request.topics(), limits, broadcaster);
    subscriber.whenClosed(release);
    return subscriber;
  }

  /**
   * A connection is being set up on {@code loop} (one of Netty's tasks, ten thousand of them in
   * one turn of a reconnect storm): live events of small topics go out in between ({@link
   * LoopDispatcher#nudge}).
   */
  void nudge(EventLoop loop) {
    if (broadcaster != null) {
      broadcaster.nudge(loop);
    }
  }

  LoopDispatcher dispatcher(EventLoop loop) {
    return broadcaster.dispatcherFor(loop);
  }

  /**
   * Writes the opening (retry, comment, padding), then replays or goes live. A stream opened with
   * a token ends when the token expires (with a {@code retry:}, so the client comes back with a
   * fresh one); the timer runs on the stream's event loop and is cancelled when the stream ends.
   */
  void start(
      EventLoop loop,
      EventStream stream,
      LoopDispatcher dispatcher,
      Subscriber subscriber,
      SubscribeRequest request) {
    Grants grants = request.grants();
    if (grants != null) {
      long delayNanos = Math.max(0, Duration.between(Instant.now(), grants.expiresAt()).toNanos());
      ScheduledFuture<?> expiry =
          loop.schedule(
              () -> subscriber.end(DisconnectReason.TOKEN_EXPIRED, retry.nextMillis()),
              delayNanos,
              TimeUnit.NANOSECONDS);
      subscriber.whenClosed(() -> expiry.cancel(false));
    }
    stream.writeText(SseFrames.opening(retry.baseMillis(), padding));
    String lastEventId = request.lastEventId();
    if (lastEventId == null || lastEventId.isEmpty() || resumeIntervalNanos == 0) {
      dispatcher.register(subscriber, lastEventId);
      return;
    }
    // A resumption brings a replay: it starts in its turn (--resume-rate), unless it ended
    // while it waited.
    resumeLine(loop).start(() -> dispatcher.register(subscriber, lastEventId), subscriber::isClosed);
  }

  private ResumeLine resumeLine(EventLoop loop) {
    ResumeLine line = resumeLines.get();
    if (line == null) {
      line = new ResumeLine(loop, resumeIntervalNanos);
      resumeLines.set(line);
    }
    return line;
  }

  /** Over a limit (connections, streams per user or per address): 200 (so the browser keeps trying), a jittered retry, and the end. */
  void refuse(EventStream stream) {
    stats.disconnected(DisconnectReason.LIMIT);
    stream.end(SseFrames.retry(retry.nextMillis()));
  }

  /** {@code GET /events} over HTTP/1.1. */
  void subscribe(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      stats.requestRejected();
      HttpResponses.text(
          ctx, request, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "/events needs HTTP/1.1");
      return;
    }
    SubscribeRequest subscription;
    try {
      subscription =
          parse(
              request.uri(),
              request.headers().get("Last-Event-ID"),
              request.headers().get(HttpHeaderNames.AUTHORIZATION),
              request.headers().getAll(HttpHeaderNames.COOKIE));
    } catch (SubscribeRequest.Invalid invalid) {
      HttpResponses.text(ctx, request, HttpResponseStatus.BAD_REQUEST, invalid.getMessage());
      return;
    } catch (AccessDenied denied) {
      HttpResponses.denied(ctx, request, denied);
      return;
    }

    ChannelPipeline pipeline = ctx.pipeline();
    Http1EventStream stream = Http1EventStream.on(pipeline.context(RawWriteAnchor.NAME));
    ctx.write(streamHead());
    Runnable release = admit(ctx.channel(), subscription);
    if (release == null) {
      refuse(stream);
      return;
    }
    LoopDispatcher dispatcher = dispatcher(ctx.channel().eventLoop());
    Subscriber subscriber = subscriber(stream, subscription, release);
    // From here on the connection is a stream: no more requests are routed on it.
    pipeline.remove(HttpServerInitializer.AGGREGATOR);
    if (pipeline.get(CorsResponseHeaders.NAME) != null) {
      pipeline.remove(CorsResponseHeaders.NAME); // the head, the only answer, has its headers
    }
    pipeline.replace(
        HttpServerInitializer.ROUTER,
        EventStreamHandler.NAME,
        new EventStreamHandler(dispatcher, subscriber));
    HttpServerInitializer.keepOnlyTheStream(pipeline);
    start(ctx.channel().eventLoop(), stream, dispatcher, subscriber, subscription);
  }

  private static HttpResponse streamHead() {
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache, no-transform")
        .set("X-Accel-Buffering", "no")
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE)
        .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    return response;
  }
}
