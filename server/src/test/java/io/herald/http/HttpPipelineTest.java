package io.herald.http;

import io.herald.testing.EmbeddedHttp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.auth.CorsPolicy;
import io.herald.metrics.HeraldStats;
import io.herald.sse.RetryPolicy;
import io.herald.sse.Subscriber;
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
    HttpRouter router =
        new HttpRouter(
            new EventsRoute(
                null, new Subscriber.Limits(16, 4096, 1, 1), new RetryPolicy(3000), 2, 0, stats),
            new PublishRoute(null, false, stats),
            CorsPolicy.none(),
            false);
    channel = new EmbeddedChannel(PlaintextPipeline.initializer(router, stats));
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
}
