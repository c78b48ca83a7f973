package io.herald.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.ingest.PublishRequest;
import io.herald.ingest.Publisher;
import io.herald.metrics.HeraldStats;
import io.herald.testing.EmbeddedHttp;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With a publisher that stores at once (one node), the POSTs pipelined in one read are published
 * in one call, before any other request of the read is routed, and each gets the answer it would
 * have got alone, in request order. Through the plaintext pipeline on an {@link EmbeddedChannel},
 * with a publisher that records its calls.
 */
class PublishedPerReadTest {
  /** Each call's events' data, in order. */
  private final List<List<String>> calls = new ArrayList<>();
  private boolean failing;
  private int nextId;
  private final HeraldStats stats = new HeraldStats();
  private final Publisher atOnce =
      new Publisher() {
        @Override
        public CompletableFuture<List<String>> publish(List<PublishRequest> requests) {
          if (failing) {
            return CompletableFuture.failedFuture(new IllegalStateException("Herald is shutting down"));
          }
          List<String> data = new ArrayList<>();
          List<String> ids = new ArrayList<>();
          for (PublishRequest request : requests) {
            data.add(request.data());
            ids.add("id-" + ++nextId);
          }
          calls.add(data);
          return CompletableFuture.completedFuture(ids);
        }

        @Override
        public boolean storesAtOnce() {
          return true;
        }
      };
  private final EmbeddedChannel channel = PlaintextPipeline.channel(atOnce, stats);

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  private static String post(String body, boolean close) {
    return "POST /publish HTTP/1.1\r\nHost: h\r\n"
        + (close ? "Connection: close\r\n" : "")
        + "Content-Length: " + body.length() + "\r\n\r\n" + body;
  }

  private static String post(int data) {
    return post("{\"topic\":\"a\",\"data\":" + data + "}", false);
  }

  private static List<String> answers(String text) {
    List<String> answers = new ArrayList<>();
    Matcher m = Pattern.compile("HTTP/1.1 (\\d+)[^{]*(\\{[^\\n]*\\})").matcher(text);
    while (m.find()) {
      answers.add(m.group(1) + " " + m.group(2));
    }
    return answers;
  }

  @Test
  void aReadsPostsArePublishedInOneCallAndAnsweredInOrder() {
    String written = EmbeddedHttp.exchange(channel, post(1) + post(2) + post(3));
    assertEquals(List.of(List.of("1", "2", "3")), calls);
    assertEquals(
        List.of("200 {\"id\":\"id-1\"}", "200 {\"id\":\"id-2\"}", "200 {\"id\":\"id-3\"}"), answers(written), written);
    assertTrue(channel.isOpen());
  }

  @Test
  void anArrayGetsItsOwnIdsAmongTheReadsOthers() {
    String array = "[{\"topic\":\"a\",\"data\":2},{\"topic\":\"b\",\"data\":3}]";
    String written = EmbeddedHttp.exchange(channel, post(1) + post(array, false) + post(4));
    assertEquals(List.of(List.of("1", "2", "3", "4")), calls);
    assertEquals(
        List.of("200 {\"id\":\"id-1\"}", "200 {\"ids\":[\"id-2\",\"id-3\"]}", "200 {\"id\":\"id-4\"}"),
        answers(written),
        written);
  }

  @Test
  void anyOtherRequestFindsTheEarlierPostsPublishedAndAnswered() {
    String written =
        EmbeddedHttp.exchange(channel, post(1) + "GET /x HTTP/1.1\r\nHost: h\r\n\r\n" + post(2));
    assertEquals(List.of(List.of("1"), List.of("2")), calls);
    List<String> statuses = new ArrayList<>();
    Matcher m = Pattern.compile("HTTP/1.1 (\\d+)").matcher(written);
    while (m.find()) {
      statuses.add(m.group(1));
    }
    assertEquals(List.of("200", "404", "200"), statuses, written);
  }

  @Test
  void aRefusedPostIsAnsweredInItsPlaceAndPublishesNothing() {
    String written =
        EmbeddedHttp.exchange(channel, post(1) + post("{\"topic\":\"a b\",\"data\":1}", false) + post(3));
    assertEquals(List.of(List.of("1"), List.of("3")), calls);
    List<String> answers = answers(written);
    assertEquals(3, answers.size(), written);
    assertEquals("200 {\"id\":\"id-1\"}", answers.get(0));
    assertTrue(answers.get(1).startsWith("400 {\"error\":"), answers.get(1));
    assertEquals("200 {\"id\":\"id-2\"}", answers.get(2));
  }

  @Test
  void aPostAskingToCloseIsPublishedAtOnceAndNothingAfterItIs() {
    String written = EmbeddedHttp.exchange(channel, post(1) + post("{\"topic\":\"a\",\"data\":2}", true) + post(3));
    assertEquals(List.of(List.of("1", "2")), calls);
    assertEquals(List.of("200 {\"id\":\"id-1\"}", "200 {\"id\":\"id-2\"}"), answers(written), written);
    assertTrue(written.contains("connection: close\r\n"), written);
    channel.runPendingTasks();
    assertFalse(channel.isOpen());
  }

  @Test
  void whenNothingIsStoredEveryPostOfTheReadIsTold() {
    failing = true;
    String written = EmbeddedHttp.exchange(channel, post(1) + post(2));
    assertEquals(
        List.of(
            "503 {\"error\":\"Herald is shutting down\"}", "503 {\"error\":\"Herald is shutting down\"}"),
        answers(written),
        written);
  }
}
