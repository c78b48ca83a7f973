package io.herald.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Pipelined requests behind a publish whose answer comes later (cluster mode: after Redis) wait
 * for it: no answer known at once overtakes it, and they are routed, in order, once it is
 * written. Through the plaintext pipeline on an {@link EmbeddedChannel}, with a publisher whose
 * answers the test gives.
 */
class HeldRequestsTest {
  private final List<CompletableFuture<List<String>>> publishes = new ArrayList<>();
  private final HeraldStats stats = new HeraldStats();
  private final Publisher later =
      requests -> {
        CompletableFuture<List<String>> answer = new CompletableFuture<>();
        publishes.add(answer);
        return answer;
      };
  private final EmbeddedChannel channel = PlaintextPipeline.channel(later, stats);

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  private static String post(String topic) {
    String body = "{\"topic\":\"" + topic + "\",\"data\":1}";
    return "POST /publish HTTP/1.1\r\nHost: h\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
  }

  private String written() {
    channel.runPendingTasks();
    return EmbeddedHttp.written(channel);
  }

  private static List<String> statuses(String text) {
    List<String> statuses = new ArrayList<>();
    Matcher m = Pattern.compile("HTTP/1.1 (\\d+)").matcher(text);
    while (m.find()) {
      statuses.add(m.group(1));
    }
    return statuses;
  }

  @Test
  void requestsBehindAWaitingPublishAreAnsweredAfterItInOrder() {
    String first = EmbeddedHttp.exchange(channel, post("a") + "GET /x HTTP/1.1\r\nHost: h\r\n\r\n" + post("b"));
    assertEquals("", first + written(), "the 404 does not overtake the waiting publish");
    assertEquals(1, publishes.size(), "b waits too: it is not published before a is answered");

    publishes.get(0).complete(List.of("id-a"));
    String next = written();
    assertEquals(List.of("200", "404"), statuses(next), next);
    assertTrue(next.contains("{\"id\":\"id-a\"}"), next);
    assertEquals(2, publishes.size(), "b published once a was answered");

    publishes.get(1).complete(List.of("id-b"));
    String last = written();
    assertEquals(List.of("200"), statuses(last), last);
    assertTrue(last.contains("{\"id\":\"id-b\"}"), last);
    assertTrue(channel.isOpen());
  }

  @Test
  void heldRequestsAreReleasedWhenTheConnectionCloses() {
    EmbeddedHttp.exchange(channel, post("a") + post("b") + post("c"));
    assertEquals(1, publishes.size());
    channel.close(); // b and c are released here (the leak detector, paranoid in tests, reports any that is not)
    publishes.get(0).complete(List.of("id-a"));
    channel.runPendingTasks();
    assertEquals(1, publishes.size(), "nothing published after the close");
  }
}
