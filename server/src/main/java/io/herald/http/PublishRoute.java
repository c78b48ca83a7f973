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
 * {@code 503} when they were not stored.
 */
public final class PublishRoute {
  private final Publisher publisher;
  private final Authenticator auth;
  private final HeraldStats stats;

  /** Without publisher credentials: open when {@code enabled}, off otherwise. */
  public PublishRoute(Publisher publisher, boolean enabled, HeraldStats stats) {
    this(publisher, Authenticator.open(enabled), stats);
  }

  public PublishRoute(Publisher publisher, Authenticator auth, HeraldStats stats) {
    this.publisher = publisher;
    this.auth = auth;
    this.stats = stats;
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
    CompletableFuture<Reply> answer =
        publish(request.headers().get(HttpHeaderNames.AUTHORIZATION), request.content());
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
    if (!auth.publishEnabled()) {
      stats.requestRejected();
      return CompletableFuture.completedFuture(new Reply(
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
      return CompletableFuture.completedFuture(Reply.denied(denied));
    }
    List<PublishRequest> events;
    try {
      events = EventJsonParser.parseBody(body);
    } catch (BadEventException bad) {
      stats.requestRejected();
      return CompletableFuture.completedFuture(Reply.json(
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
      return CompletableFuture.completedFuture(Reply.denied(denied));
    }
    boolean array = isArray(body);
    return publisher
        .publish(events)
        .handle(
            (ids, failure) ->
                failure == null
                    ? Reply.json(HttpResponseStatus.OK, reply(array, ids))
                    : Reply.json(
                        HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "{\"error\":" + JsonText.quote(Publisher.reason(failure)) + "}"));
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
