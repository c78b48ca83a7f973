package io.herald.http;

import io.herald.auth.AccessDenied;
import io.herald.auth.Authenticator;
import io.herald.auth.TopicPatterns;
import io.herald.ingest.BadEventException;
import io.herald.ingest.EventJsonParser;
import io.herald.ingest.JsonText;
import io.herald.ingest.PublishRequest;
import io.herald.ingest.Publisher;
import io.herald.metrics.HeraldStats;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AttributeKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /publish}: the same JSON as one ingest line, or an array of them, for publishers
 * without a TCP client. An array is all or nothing: it is checked whole before anything is
 * published, so a client never has to guess which events of a refused request got through.
 * Replies {@code {"id":"…"}} for one event, {@code {"ids":[…]}} for an array.
 *
 * <p>With a publisher credential configured, the {@code Authorization: Bearer} header must carry
 * it (checked before the body is parsed: 401), and every event's topic must be one it may
 * publish to (checked before anything is published: 403). Cookies are never read here.
 *
 * <p>The answer waits until the {@link Publisher} stored the events (at once on one node; after
 * Redis answered in cluster mode, meanwhile the HTTP/1.1 connection reads nothing more, and the
 * router holds the requests already read behind it, so its answers stay in request order);
 * {@code 503} when they were not stored. On one node the POSTs pipelined in one HTTP/1.1 read are
 * checked one by one as they come and published together before anything else of the
 * connection is routed, at the latest when the read ends ({@link #publishWaiting}): one turn of
 * the broadcaster's lock per read instead of one per POST, the answers in request order.
 */
public final class PublishRoute {
  private static final AttributeKey<Waiting> WAITING = AttributeKey.valueOf("herald.waiting-posts");

  private final Publisher publisher;
  private final Authenticator auth;
  private final HeraldStats stats;
  /** {@link Publisher#storesAtOnce}: a read's POSTs are published together ({@link #publishWaiting}). */
  private final boolean storesAtOnce;

  /** Without publisher credentials: open when {@code enabled}, off otherwise. */
  public PublishRoute(Publisher publisher, boolean enabled, HeraldStats stats) {
    this(publisher, Authenticator.open(enabled), stats);
  }

  public PublishRoute(Publisher publisher, Authenticator auth, HeraldStats stats) {
    this.publisher = publisher;
    this.auth = auth;
    this.stats = stats;
    this.storesAtOnce = publisher != null && publisher.storesAtOnce();
  }

  /**
   * A complete answer, whatever the protocol writes it with.
   *
   * @param wwwAuthenticate the challenge of a 401, else null
   */
  record Reply(HttpResponseStatus status, String contentType, String body, String wwwAuthenticate) {
    Reply(HttpResponseStatus status, String contentType, String body) {
      this(status, contentType, body, null);
    }

    static Reply json(HttpResponseStatus status, String json) {
      return new Reply(status, "application/json", json + "\n");
    }

    static Reply denied(AccessDenied denied) {
      return new Reply(
          HttpResponseStatus.valueOf(denied.status()),
          "text/plain; charset=utf-8",
          denied.getMessage() + "\n",
          HttpResponses.challenge(denied));
    }
  }

  /**
   * {@code POST /publish} over HTTP/1.1.
   *
   * @return null when answered at once; otherwise completes on the connection's loop once the
   *     answer is written (the router holds later requests of the connection until then)
   */
  CompletableFuture<Void> publish(ChannelHandlerContext ctx, FullHttpRequest request) {
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (storesAtOnce) {
      Checked checked = check(authorization, request.content());
      if (checked.refused() != null) {
        publishWaiting(ctx); // the POSTs before this one are answered before it
        Reply reply = checked.refused();
        HttpResponses.sendInRead(
            ctx, request, reply.status(), reply.contentType(), reply.body(), reply.wwwAuthenticate());
        return null;
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      Waiting waiting = ctx.channel().attr(WAITING).get();
      if (waiting == null) {
        waiting = new Waiting();
        ctx.channel().attr(WAITING).set(waiting);
      }
      waiting.add(checked, keepAlive);
      if (!keepAlive) {
        publishWaiting(ctx); // its answer closes the connection: nothing after it is processed
      }
      return null;
    }
    CompletableFuture<Reply> answer = publish(authorization, request.content());
    if (answer.isDone()) {
      // Flushed when the read is complete, with the answers to the other requests it carried.
      Reply reply = answer.join();
      HttpResponses.sendInRead(
          ctx, request, reply.status(), reply.contentType(), reply.body(), reply.wwwAuthenticate());
      return null;
    }
    ctx.channel().config().setAutoRead(false);
    CompletableFuture<Void> written = new CompletableFuture<>();
    answer.thenAccept(
        reply ->
            ctx.executor()
                .execute(
                    () -> {
                      send(ctx, request, reply);
                      ctx.channel().config().setAutoRead(true);
                      written.complete(null);
                    }));
    return written;
  }

  /**
   * Publishes the events of the connection's POSTs read since the last call, all in one {@link
   * Publisher#publish} (one turn of the broadcaster's lock for a read's pipelined POSTs), and
   * writes their answers in request order, to be flushed with the read's other answers. The
   * router calls it before it routes anything else (so every answer stays in request order and
   * every other request sees these events published), at the end of each read, and when the
   * connection closes. Only with a publisher that {@linkplain Publisher#storesAtOnce stores at
   * once}; nothing waits here otherwise.
   */
  void publishWaiting(ChannelHandlerContext ctx) {
    Waiting waiting = ctx.channel().hasAttr(WAITING) ? ctx.channel().attr(WAITING).get() : null;
    if (waiting == null || waiting.events.isEmpty()) {
      return;
    }
    List<String> ids = null;
    Throwable failure = null;
    try {
      ids = publisher.publish(waiting.events).join();
    } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
      failure = e;
    }
    int from = 0;
    for (Waiting.Post post : waiting.posts) {
      Reply reply =
          failure == null
              ? Reply.json(HttpResponseStatus.OK, reply(post.array(), ids.subList(from, from + post.count())))
              : unavailable(failure);
      from += post.count();
      HttpResponses.sendInRead(
          ctx, post.keepAlive(), reply.status(), reply.contentType(), reply.body(), reply.wwwAuthenticate());
    }
    waiting.events.clear();
    waiting.posts.clear();
  }

  private static void send(ChannelHandlerContext ctx, FullHttpRequest request, Reply reply) {
    HttpResponses.send(
        ctx, request, reply.status(), reply.contentType(), reply.body(), reply.wwwAuthenticate());
  }

  /**
   * Publishes a body of one event or an array of them; the reply says what happened. The body
   * is read before this returns; the reply never fails, it may only come later.
   *
   * @param authorization the {@code Authorization} header, or null
   */
  CompletableFuture<Reply> publish(String authorization, ByteBuf body) {
    Checked checked = check(authorization, body);
    if (checked.refused() != null) {
      return CompletableFuture.completedFuture(checked.refused());
    }
    boolean array = checked.array();
    return publisher
        .publish(checked.events())
        .handle(
            (ids, failure) ->
                failure == null
                    ? Reply.json(HttpResponseStatus.OK, reply(array, ids))
                    : unavailable(failure));
  }

  private static Reply unavailable(Throwable failure) {
    return Reply.json(
        HttpResponseStatus.SERVICE_UNAVAILABLE,
        "{\"error\":" + JsonText.quote(Publisher.reason(failure)) + "}");
  }

  /**
   * A body checked and read, not yet published: its events and whether it was an array, or the
   * refusal.
   */
  private record Checked(List<PublishRequest> events, boolean array, Reply refused) {
    static Checked refusal(Reply reply) {
      return new Checked(null, false, reply);
    }
  }

  /**
   * The POSTs of one connection read and checked but not yet published ({@link
   * #publishWaiting}): per connection, on its event loop. Bounded by what one read carries (it is
   * emptied at the read's end at the latest), each POST's body by {@code --publish-max-bytes}.
   */
  private static final class Waiting {
    /** One POST: how many of {@link #events} are its, the form of its answer, its keep-alive. */
    record Post(int count, boolean array, boolean keepAlive) {}

    final List<PublishRequest> events = new ArrayList<>();
    final List<Post> posts = new ArrayList<>();

    void add(Checked checked, boolean keepAlive) {
      events.addAll(checked.events());
      posts.add(new Post(checked.events().size(), checked.array(), keepAlive));
    }
  }

  /** Authorization, then the body: its events, or the refusal a publisher is told. */
  private Checked check(String authorization, ByteBuf body) {
    if (!auth.publishEnabled()) {
      stats.requestRejected();
      return Checked.refusal(new Reply(
          HttpResponseStatus.FORBIDDEN,
          "text/plain; charset=utf-8",
          "publishing over HTTP is off: start herald with --allow-http-publish or --publish-key,"
              + " or publish through the ingest port\n"));
    }
    TopicPatterns allowed;
    try {
      allowed = auth.publisher(authorization);
    } catch (AccessDenied denied) {
      stats.requestRejected();
      return Checked.refusal(Reply.denied(denied));
    }
    List<PublishRequest> events;
    try {
      events = EventJsonParser.parseBody(body);
    } catch (BadEventException bad) {
      stats.requestRejected();
      return Checked.refusal(Reply.json(
          HttpResponseStatus.BAD_REQUEST, "{\"error\":" + JsonText.quote(bad.getMessage()) + "}"));
    }
    List<String> topics = new ArrayList<>(events.size());
    for (PublishRequest event : events) {
      topics.add(event.topic());
    }
    try {
      Authenticator.checkPublishTopics(allowed, topics);
    } catch (AccessDenied denied) {
      stats.requestRejected();
      return Checked.refusal(Reply.denied(denied));
    }
    return new Checked(events, isArray(body), null);
  }

  private static String reply(boolean array, List<String> ids) {
    if (!array) {
      return "{\"id\":\"" + ids.get(0) + "\"}";
    }
    StringBuilder json = new StringBuilder(16 + ids.size() * 24).append("{\"ids\":[");
    for (int i = 0; i < ids.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      json.append('"').append(ids.get(i)).append('"');
    }
    return json.append("]}").toString();
  }

  private static boolean isArray(ByteBuf content) {
    for (int i = content.readerIndex(); i < content.writerIndex(); i++) {
      byte b = content.getByte(i);
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b == '[';
      }
    }
    return false;
  }
}
