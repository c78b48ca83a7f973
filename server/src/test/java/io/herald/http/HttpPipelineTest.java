package io.herald.http;

import io.herald.testing.EmbeddedHttp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.metrics.HeraldStats;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The public HTTP pipeline's answers to requests that never reach the event path. */
class HttpPipelineTest {
  private EmbeddedChannel channel;

  @BeforeEach
  void setUp() {
    HeraldStats stats = new HeraldStats();
    channel = PlaintextPipeline.channel(null, stats);
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  private String exchange(String request) {
    return EmbeddedHttp.exchange(channel, request);
  }

  @Test
  void unknownPathIsNotFound() {
    String response = exchange("GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 404 Not Found\r\n"), response);
    assertTrue(response.endsWith("no such path: /x\n"), response);
    assertTrue(channel.isOpen(), "keep-alive");
  }

  @Test
  void wrongMethodOnEventsIsMethodNotAllowedWithAllow() {
    String response = exchange("DELETE /events?topic=a HTTP/1.1\r\nHost: h\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 405 Method Not Allowed\r\n"), response);
    assertTrue(response.contains("allow: GET\r\n"), response);
  }

  @Test
  void invalidTopicIsBadRequestWithTheReason() {
    String response = exchange("GET /events?topic=%0d%0aevil HTTP/1.1\r\nHost: h\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 400 Bad Request\r\n"), response);
    assertTrue(response.contains("bad topic '\\u000d\\u000aevil'"), response);
  }

  @Test
  void malformedPercentEscapesGetAnAnswerNotAClosedConnection() {
    // Found by SubscribeRequestFuzzTest: Netty's decoder threw, and the connection was closed.
    String query = exchange("GET /events?topic=%zz HTTP/1.1\r\nHost: h\r\n\r\n");
    assertTrue(query.startsWith("HTTP/1.1 400 Bad Request\r\n"), query);
    assertTrue(query.contains("malformed query string"), query);
    assertTrue(channel.isOpen(), "keep-alive");
    String path = exchange("GET /ev%zzents HTTP/1.1\r\nHost: h\r\n\r\n");
    assertTrue(path.startsWith("HTTP/1.1 404 Not Found\r\n"), path);
  }

  @Test
  void moreTopicsThanAllowedIsBadRequest() {
    String response = exchange("GET /events?topic=a&topic=b&topic=c HTTP/1.1\r\nHost: h\r\n\r\n");
    assertTrue(response.contains("too many topics: 3 (at most 2 per stream)"), response);
  }

  @Test
  void http10ClientClosesAfterTheAnswer() {
    String response = exchange("GET /x HTTP/1.0\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 404"), response);
    channel.runPendingTasks();
    assertFalse(channel.isOpen());
  }

  @Test
  void publishBodyOverTheLimitIsRefusedWithoutBuffering() {
    String response =
        exchange("POST /publish HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 413"), response);
  }

  @Test
  void publishIsForbiddenUntilEnabled() {
    String body = "{\"topic\":\"a\",\"data\":1}";
    String response =
        exchange(
            "POST /publish HTTP/1.1\r\nHost: h\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);
    assertTrue(response.startsWith("HTTP/1.1 403 Forbidden\r\n"), response);
  }

  @Test
  void malformedRequestIsBadRequestAndCloses() {
    String response = exchange("GET /x HTTP/1.1\r\nBad Header Line\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 400 Bad Request\r\n"), response);
    channel.runPendingTasks();
    assertFalse(channel.isOpen());
  }

  private static String post(String body, boolean close) {
    return "POST /publish HTTP/1.1\r\nHost: h\r\n"
        + (close ? "Connection: close\r\n" : "")
        + "Content-Length: "
        + body.length()
        + "\r\n\r\n"
        + body;
  }

  @Test
  void pipelinedPostsInOneReadAreAnsweredInOrderWithOneFlush() {
    FlushCounter flushes = new FlushCounter();
    channel.pipeline().addFirst(flushes);
    String body = "{\"topic\":\"a\",\"data\":1}";
    String response = exchange(post(body, false) + "GET /x HTTP/1.1\r\nHost: h\r\n\r\n" + post(body, false));
    // Publishing is off here: each POST gets a 403 at once, as an enabled one gets its 200.
    java.util.regex.Matcher status = java.util.regex.Pattern.compile("HTTP/1.1 (\\d+)").matcher(response);
    java.util.List<String> statuses = new java.util.ArrayList<>();
    while (status.find()) {
      statuses.add(status.group(1));
    }
    assertEquals(java.util.List.of("403", "404", "403"), statuses, response);
    // The 404 (answered by another route) is flushed at once, taking the first 403 with it; the
    // last 403 waits for the end of the read.
    assertEquals(2, flushes.flushes);
    assertEquals("", exchange(""), "nothing left unflushed");
    assertTrue(channel.isOpen(), "keep-alive");

    flushes.flushes = 0;
    String posts = exchange(post(body, false) + post(body, false) + post(body, false));
    assertEquals(3, posts.split("HTTP/1.1 403 Forbidden", -1).length - 1, posts);
    assertEquals(1, flushes.flushes, "one flush for the three answers of one read");
  }

  @Test
  void requestsPipelinedAfterAConnectionCloseAnswerAreNotProcessed() {
    String body = "{\"topic\":\"a\",\"data\":1}";
    String response =
        exchange(post(body, false) + post(body, true) + post(body, false) + "GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
    assertEquals(2, response.split("HTTP/1.1 ", -1).length - 1, response);
    assertTrue(response.contains("connection: close\r\n"), response);
    assertFalse(response.contains("404"), response);
    channel.runPendingTasks();
    assertFalse(channel.isOpen());
  }
}
