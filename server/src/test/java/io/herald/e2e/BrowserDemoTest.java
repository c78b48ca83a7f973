package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.testing.Chromium;
import io.herald.testing.Http;
import io.herald.testing.IngestTestClient;
import io.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
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

  private static String state(String state) {
    return "document.getElementById('state').textContent === '" + state + "'";
  }

  /** True once an event's row in the list contains {@code text} (id, type and data run together). */
  private static String listed(String text) {
    return "[...document.querySelectorAll('#events li')].some(li => li.textContent.includes('"
        + text.replace("'", "\\'") + "'))";
  }
}
