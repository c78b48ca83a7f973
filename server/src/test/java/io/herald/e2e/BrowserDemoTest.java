package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.Chromium;
import io.herald.testing.Http;
import io.herald.testing.IngestTestClient;
import io.herald.testing.TcpProxy;
import io.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo page ({@code --demo}) in a real browser, headless Chromium: its {@code EventSource}
 * receives events with their ids, its form publishes, and it shows the connection going away and
 * coming back.
 */
class BrowserDemoTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path dir;
  private TestHerald herald;

  @AfterEach
  void stopHerald() {
    if (herald != null) {
      herald.close();
    }
  }

  @Test
  void theDemoPageShowsEventsWithIdsPublishesAndCountsReconnections() throws Exception {
    herald = TestHerald.start(b -> b.demo(true).retryMillis(300));
    int port = herald.httpPort();
    try (Chromium browser = Chromium.open(dir, "http://127.0.0.1:" + port + "/demo")) {
      browser.await(state("open"), WAIT, "the stream to open");

      // An event published elsewhere is listed with its id.
      HttpResponse<String> published =
          Http.post(port, "/publish", "{\"topic\":\"demo\",\"data\":\"from the server\"}");
      String id = IngestTestClient.idOf(published.body().trim());
      browser.await(listed(id + "message" + "from the server"), WAIT, "the event with its id " + id);
      assertEquals(id, browser.evaluate("document.getElementById('last-id').textContent"));

      // The page's form publishes through POST /publish, and the event comes back.
      browser.evaluate(
          "document.getElementById('publish-data').value = 'from the browser';"
              + " document.querySelector('#publish button').click()");
      browser.await(
          "document.getElementById('publish-result').textContent.startsWith('published')",
          WAIT,
          "the publish answer");
      browser.await(listed("from the browser"), WAIT, "the event published by the page");
      saveScreenshot(browser);

      // Herald goes away: the page says it is reconnecting, and counts the attempts.
      herald.close();
      browser.await(
          state("reconnecting") + " && Number(document.getElementById('reconnections').textContent) >= 1",
          WAIT,
          "the page to reconnect");
      // A new Herald on the same port: the browser is back, and since this Herald never saw the
      // page's last id, the stream starts with event: reset.
      herald = TestHerald.start(b -> b.demo(true).retryMillis(300).httpPort(port));
      browser.await(state("open"), WAIT, "the stream to open again");
      browser.await(
          "document.querySelector('#events li.reset') !== null", WAIT, "the reset event to be listed");
    }
  }

  @Test
  void replaysMissedEventsAfterLastEventIdWithoutDuplicates() throws Exception {
    herald = TestHerald.start(b -> b.demo(true).retryMillis(300));
    // The browser reaches Herald through a proxy that can cut its connection: Herald (and the
    // history) stays up, the page's own EventSource reconnects with Last-Event-ID.
    try (TcpProxy proxy = TcpProxy.to(herald.httpPort());
        Chromium browser = Chromium.open(dir, "http://127.0.0.1:" + proxy.port() + "/demo")) {
      browser.await(state("open"), WAIT, "the stream to open");
      List<String> published = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        published.add(publish("before " + i));
      }
      browser.await(count(3), WAIT, "the first three events");

      proxy.cutAndHold();
      browser.await(state("reconnecting"), WAIT, "the page to see its connection cut");
      for (int i = 1; i <= 3; i++) {
        published.add(publish("missed " + i));
      }
      proxy.release();
      browser.await(state("open"), WAIT, "the stream to open again");
      published.add(publish("after"));
      browser.await(count(published.size()), WAIT, "every event");

      // The list shows newest first: each event exactly once, in the order published, no reset.
      List<String> shown = new ArrayList<>(List.of(browser.evaluate(
          "[...document.querySelectorAll('#events li .id')].map(s => s.textContent).join(',')")
          .split(",")));
      Collections.reverse(shown);
      assertEquals(published, shown);
      assertEquals("0", browser.evaluate("String(document.querySelectorAll('#events li.reset').length)"));
      List<String> streams =
          proxy.requestHeads().stream().filter(h -> h.startsWith("GET /events")).toList();
      assertEquals(2, streams.size(), streams.toString());
      assertTrue(streams.get(1).toLowerCase(Locale.ROOT).contains("last-event-id: " + published.get(2)),
          "the reconnection carries the last id received:\n" + streams.get(1));
    }
  }

  @Test
  void theDemoPageStreamsOverHttp2WithTls() throws Exception {
    Path cert = Path.of(getClass().getResource("/tls/cert.pem").toURI());
    Path key = Path.of(getClass().getResource("/tls/key.pem").toURI());
    herald = TestHerald.start(b -> b.demo(true).httpsPort(0).tlsCert(cert).tlsKey(key));
    // The test certificate is self-signed: this browser, and only it, accepts it.
    try (Chromium browser =
        Chromium.open(dir, "https://127.0.0.1:" + herald.server().httpsPort() + "/demo",
            "--ignore-certificate-errors")) {
      browser.await(state("open"), WAIT, "the stream to open over TLS");
      String id = publish("over h2");
      browser.await(listed(id + "message" + "over h2"), WAIT, "the event over TLS");

      // ALPN chose h2 for the page, and the event stream is an HTTP/2 stream at Herald.
      assertEquals("h2",
          browser.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol"));
      String metrics = Http.get(herald.adminPort(), "/metrics").body();
      assertTrue(metrics.contains("herald_streams{protocol=\"h2\"} 1"), metrics);
      assertTrue(metrics.contains("herald_streams{protocol=\"h1\"} 0"), metrics);
    }
  }

  @Test
  void publishingWithoutCredentialsSaysWhatItNeeds() throws Exception {
    // A publish key is configured, the page sends none: 401, and the page says why.
    herald = TestHerald.start(b -> b.demo(true).allowHttpPublish(false).publishKey("demo-key-0123456789"));
    try (Chromium browser = Chromium.open(dir, "http://127.0.0.1:" + herald.httpPort() + "/")) {
      browser.await(state("open"), WAIT, "the stream to open");
      browser.evaluate("document.querySelector('#publish button').click()");
      browser.await(
          "document.getElementById('publish-result').textContent.includes("
              + "'publishing needs --allow-http-publish or a key')",
          WAIT,
          "the 401 explained");
    }
  }

  /** Publishes {@code data} to the demo topic, straight to Herald, and returns the event's id. */
  private String publish(String data) throws Exception {
    HttpResponse<String> published =
        Http.post(herald.httpPort(), "/publish", "{\"topic\":\"demo\",\"data\":\"" + data + "\"}");
    assertEquals(200, published.statusCode(), published.body());
    return IngestTestClient.idOf(published.body().trim());
  }

  /**
   * Saves the page as docs/demo.png (the README shows it) when {@code -Dherald.screenshot} is
   * set; otherwise only checks that the browser can take it, so ordinary runs leave docs alone.
   */
  private static void saveScreenshot(Chromium browser) throws Exception {
    byte[] png = browser.screenshot();
    assertTrue(png.length > 8 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG");
    if (System.getProperty("herald.screenshot") != null) {
      Path docs = Path.of("").toAbsolutePath();
      while (!Files.isDirectory(docs.resolve("docs"))) {
        docs = docs.getParent();
      }
      Files.write(docs.resolve("docs").resolve("demo.png"), png);
    }
  }

  private static String count(int n) {
    return "document.getElementById('count').textContent === '" + n + "'";
  }

  private static String state(String state) {
    return "document.getElementById('state').textContent === '" + state + "'";
  }

  /** True once an event's row in the list contains {@code text} (id, type and data run together). */
  private static String listed(String text) {
    return "[...document.querySelectorAll('#events li')].some(li => li.textContent.includes('"
        + text.replace("'", "\\'") + "'))";
  }
}
