package io.herald.admin;

import io.herald.fanout.Broadcaster;
import io.herald.http.HttpResponses;
import io.herald.metrics.HeraldStats;
import io.herald.metrics.PrometheusMetrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin port's routes: {@code GET /healthz} (200 while serving, 503 while stopping), {@code
 * GET /readyz} (200 {@code ready} once every listener is bound, while not stopping and, in cluster
 * mode, while connected to Redis; 503 {@code not ready: <why>} otherwise: what a load balancer or
 * Kubernetes should route on), {@code GET /stats} (JSON counters for people and
 * scripts) and {@code GET /metrics} (the same figures and more in the Prometheus text format).
 * Kept off the public port so that operational data is not exposed to browsers.
 */
@ChannelHandler.Sharable
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final HeraldStats stats;
  private final Broadcaster broadcaster;
  private final BooleanSupplier serving;
  private final Supplier<String> notReady;
  private final PrometheusMetrics metrics;

  /**
   * @param serving true from the end of the start until the stop begins ({@code /healthz})
   * @param notReady why the server is not ready (a listener closed, stopping, Redis
   *     disconnected), or null when it is ({@code /readyz})
   */
  public AdminHandler(
      HeraldStats stats,
      Broadcaster broadcaster,
      BooleanSupplier serving,
      Supplier<String> notReady,
      PrometheusMetrics metrics) {
    this.stats = stats;
    this.broadcaster = broadcaster;
    this.serving = serving;
    this.notReady = notReady;
    this.metrics = metrics;
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
          HttpResponses.text(
              ctx,
              request,
              HttpResponseStatus.OK,
              stats.isOpenMode() ? "ok (open mode: no token key, anyone may read any topic)" : "ok");
        } else {
          HttpResponses.text(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "stopping");
        }
      }
      case "/readyz" -> {
        String why = notReady.get();
        if (why == null) {
          HttpResponses.text(ctx, request, HttpResponseStatus.OK, "ready");
        } else {
          HttpResponses.text(
              ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: " + why);
        }
      }
      case "/metrics" ->
          HttpResponses.send(
              ctx, request, HttpResponseStatus.OK, PrometheusMetrics.CONTENT_TYPE, metrics.scrape());
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
