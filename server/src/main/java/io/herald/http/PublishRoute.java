package io.herald.http;

import io.herald.fanout.Broadcaster;
import io.herald.ingest.BadEventException;
import io.herald.ingest.EventJsonParser;
import io.herald.ingest.JsonText;
import io.herald.ingest.PublishRequest;
import io.herald.metrics.HeraldStats;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;

/**
 * {@code POST /publish}: the same JSON as one ingest line, or an array of them, for publishers
 * without a TCP client. An array is all or nothing: it is checked whole before anything is
 * published, so a client never has to guess which events of a refused request got through.
 * Replies {@code {"id":"…"}} for one event, {@code {"ids":[…]}} for an array.
 */
public final class PublishRoute {
  private final Broadcaster broadcaster;
  private final boolean enabled;
  private final HeraldStats stats;

  public PublishRoute(Broadcaster broadcaster, boolean enabled, HeraldStats stats) {
    this.broadcaster = broadcaster;
    this.enabled = enabled;
    this.stats = stats;
  }

  void publish(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!enabled) {
      stats.requestRejected();
      HttpResponses.text(
          ctx,
          request,
          HttpResponseStatus.FORBIDDEN,
          "publishing over HTTP is off: start herald with --allow-http-publish,"
              + " or publish through the ingest port");
      return;
    }
    List<PublishRequest> events;
    try {
      events = EventJsonParser.parseBody(request.content());
    } catch (BadEventException bad) {
      stats.requestRejected();
      HttpResponses.json(
          ctx,
          request,
          HttpResponseStatus.BAD_REQUEST,
          "{\"error\":" + JsonText.quote(bad.getMessage()) + "}");
      return;
    }
    List<String> ids;
    try {
      ids = broadcaster.publish(events);
    } catch (IllegalStateException stopping) {
      HttpResponses.json(
          ctx,
          request,
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          "{\"error\":" + JsonText.quote(stopping.getMessage()) + "}");
      return;
    }
    HttpResponses.json(ctx, request, HttpResponseStatus.OK, reply(request, ids));
  }

  private static String reply(FullHttpRequest request, List<String> ids) {
    if (!isArray(request)) {
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

  private static boolean isArray(FullHttpRequest request) {
    var content = request.content();
    for (int i = content.readerIndex(); i < content.writerIndex(); i++) {
      byte b = content.getByte(i);
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b == '[';
      }
    }
    return false;
  }
}
