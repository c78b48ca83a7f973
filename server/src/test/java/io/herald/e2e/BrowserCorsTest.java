package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.herald.testing.Chromium;
import io.herald.testing.IngestTestClient;
import io.herald.testing.TestHerald;
import io.herald.testing.Tokens;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A page on another origin reads its user's events from Herald in a real browser (headless
 * Chromium): {@code new EventSource(url, {withCredentials: true})} sends the {@code herald_token}
 * cookie, and Herald's CORS answer lets the page see the stream only if its origin is listed in
 * {@code --cors-origin}.
 */
class BrowserCorsTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  /** The application's page: subscribes cross-origin with credentials to the URL in {@code ?events=}. */
  private static final String PAGE =
      """
      <!doctype html>
      <meta charset="utf-8">
      <title>an application on another origin</title>
      <p>state: <span id="state">connecting</span>, opened: <span id="opened">no</span></p>
      <ul id="events"></ul>
      <script>
      const state = (s) => document.getElementById("state").textContent = s;
      const source = new EventSource(new URLSearchParams(location.search).get("events"),
          { withCredentials: true });
      source.onopen = () => { state("open"); document.getElementById("opened").textContent = "yes"; };
      source.onmessage = (event) => {
        const item = document.createElement("li");
        item.textContent = event.data;
        document.getElementById("events").append(item);
      };
      source.onerror = () => state(source.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
      </script>
      """;

  @TempDir Path dir;
  private TestHerald herald;
  private HttpServer app;
  private HttpServer stranger;

  @AfterEach
  void stop() {
    for (HttpServer server : new HttpServer[] {app, stranger}) {
      if (server != null) {
        server.stop(0);
      }
    }
    if (herald != null) {
      herald.close();
    }
  }

  @Test
  void aListedOriginReadsTheUsersEventsWithTheCookieAndAnUnlistedOneGetsNothing() throws Exception {
    app = servePage();
    stranger = servePage();
    String appOrigin = "http://127.0.0.1:" + app.getAddress().getPort();
    herald = TestHerald.start(b -> b.jwtSecret(Tokens.SECRET).corsOrigins(List.of(appOrigin)));
    String heraldOrigin = "http://127.0.0.1:" + herald.httpPort();
    String events = URLEncoder.encode(heraldOrigin + "/events?topic=user.42", StandardCharsets.UTF_8);

    try (Chromium browser = Chromium.open(dir, "about:blank");
        IngestTestClient publisher = new IngestTestClient(herald.ingestPort())) {
      // Herald's site set the user's token cookie (no Authorization header: EventSource sends none).
      browser.setCookie(heraldOrigin + "/", "herald_token", Tokens.hs256("42"));

      browser.navigate(appOrigin + "/app.html?events=" + events);
      browser.await(state("open"), WAIT, "the cross-origin stream to open");
      publisher.publish("user.42", "\"for user 42\"");
      browser.await(
          "document.querySelector('#events li')?.textContent === 'for user 42'", WAIT,
          "the user's event on the listed origin");

      // The same page from an origin Herald does not list: the browser refuses the answer.
      browser.navigate("http://127.0.0.1:" + stranger.getAddress().getPort() + "/app.html?events=" + events);
      browser.await(state("closed"), WAIT, "the unlisted origin's EventSource to fail");
      publisher.publish("user.42", "\"not for the stranger\"");
      assertEquals("no", browser.evaluate("document.getElementById('opened').textContent"));
      assertEquals("0", browser.evaluate("String(document.querySelectorAll('#events li').length)"));
    }
  }

  /** Serves {@link #PAGE} on a free port of 127.0.0.1 (its own origin). */
  private static HttpServer servePage() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] page = PAGE.getBytes(StandardCharsets.UTF_8);
    server.createContext("/app.html", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, page.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(page);
      }
    });
    server.start();
    return server;
  }

  private static String state(String state) {
    return "document.getElementById('state').textContent === '" + state + "'";
  }
}
