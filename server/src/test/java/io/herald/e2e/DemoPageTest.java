package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.Http;
import io.herald.testing.TestHerald;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code --demo}: the demo page on the public port, and nothing there without it. */
class DemoPageTest {
  @Test
  void withDemoTheRootAndDemoPathsServeTheSelfContainedPage() throws Exception {
    try (TestHerald herald = TestHerald.start(b -> b.demo(true))) {
      for (String path : new String[] {"/", "/demo"}) {
        HttpResponse<String> page = Http.get(herald.httpPort(), path);
        assertEquals(200, page.statusCode(), path);
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("content-type").orElse(""));
        String html = page.body();
        assertTrue(html.startsWith("<!doctype html>"), html);
        assertTrue(html.contains("new EventSource(\"/events?topic=\" + encodeURIComponent(topic))"), html);
        assertTrue(html.contains("value=\"demo\""), "the topic defaults to demo");
        assertTrue(html.contains("fetch(\"/publish\""), html);
        assertTrue(html.contains("JSON.stringify({ topic:"), html);
        assertTrue(html.contains("publishing needs --allow-http-publish or a key"), html);
        assertTrue(html.contains("reconnecting"), html);
        assertFalse(html.contains("<script src"), "no external scripts");
        assertFalse(html.contains("http://") || html.contains("https://"), "no external resources");
      }
      assertEquals(405, Http.post(herald.httpPort(), "/", "").statusCode());
    }
  }

  @Test
  void theDemoPageIsServedOverH2cToo() throws Exception {
    try (TestHerald herald = TestHerald.start(b -> b.demo(true))) {
      HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
      HttpResponse<String> page =
          h2.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + herald.httpPort() + "/demo"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode());
      assertEquals(HttpClient.Version.HTTP_2, page.version());
      assertEquals("text/html; charset=utf-8", page.headers().firstValue("content-type").orElse(""));
      assertTrue(page.body().contains("new EventSource("), page.body());
    }
  }

  @Test
  void withoutDemoThereIsNoPage() throws Exception {
    try (TestHerald herald = TestHerald.start()) {
      assertEquals(404, Http.get(herald.httpPort(), "/").statusCode());
      assertEquals(404, Http.get(herald.httpPort(), "/demo").statusCode());
    }
  }
}
