package io.herald.admin;

import io.herald.fanout.Broadcaster;
import io.herald.http.HttpResponses;
import io.herald.metrics.HeraldStats;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.function.BooleanSupplier;

/**
 * The admin port's routes: {@code GET /healthz} (200 while serving, 503 while stopping) and
 * {@code GET /stats} (JSON counters for people and scripts). Kept off the public port so that
 * operational data is not exposed to browsers.
 */
@ChannelHandler.Sharable
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final HeraldStats stats;
  private final Broadcaster broadcaster;
  private final BooleanSupplier serving;

  public AdminHandler(HeraldStats stats, Broadcaster broadcaster, BooleanSupplier serving) {
    this.stats = stats;
    this.broadcaster = broadcaster;
    this.serving = serving;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      HttpResponses.send(ctx, null, HttpResponseStatus.BAD_REQUEST, "text/plain", "malformed request\n");
      return;
    }
    String path = new QueryStringDecoder(request.uri()).path();
    if (!request.method().equals(HttpMethod.GET)) {
      HttpResponses.text(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET");
      return;
    }
    switch (path) {
      case "/healthz" -> {
        if (serving.getAsBoolean()) {
          HttpResponses.text(ctx, request, HttpResponseStatus.OK, "ok");
        } else {
          HttpResponses.text(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "stopping");
        }
      }
      case "/stats" -> {
        Broadcaster.HistoryView history = broadcaster.historyView();
        HttpResponses.json(
            ctx,
            request,
            HttpResponseStatus.OK,
            stats.toJson(history.events(), history.bytes(), history.earliestId()));
      }
      default -> HttpResponses.text(ctx, request, HttpResponseStatus.NOT_FOUND, "no such path: " + path);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
