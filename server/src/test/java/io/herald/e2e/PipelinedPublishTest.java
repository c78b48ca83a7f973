package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.Http;
import io.herald.testing.SseTestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /publish} requests pipelined on one connection and sent in one write (herald-load
 * --publish-pipeline, or any HTTP/1.1 client that pipelines): every one is published and answered,
 * in order, and a subscriber gets the events in that order; nothing after an answer with {@code
 * Connection: close} is processed.
 */
class PipelinedPublishTest extends HeraldTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Pattern ANSWER = Pattern.compile("HTTP/1\\.1 (\\d+) [^\\r]*\\r\\n(?:[^\\r]+\\r\\n)*\\r\\n\\{\"id\":\"([^\"]+)\"\\}\\n");
  @BeforeEach
  void startHerald() {
    start();
  }

  private SseTestClient subscribe(String topic) throws Exception {
    return subscribed("topic=" + topic, Map.of()); // registered before we publish
  }

  private static String post(String topic, int n, boolean close) {
    String body = "{\"topic\":\"" + topic + "\",\"data\":" + n + "}";
    return "POST /publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + (close ? "Connection: close\r\n" : "")
        + "Content-Length: " + body.length() + "\r\n\r\n" + body;
  }

  /** Writes {@code requests} in one write and reads until the server closes the connection. */
  private String exchange(String requests) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", herald.httpPort())) {
      socket.setSoTimeout(10_000);
      socket.setTcpNoDelay(true);
      socket.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answers = new ByteArrayOutputStream();
      in.transferTo(answers);
      return answers.toString(StandardCharsets.UTF_8);
    }
  }

  /** Each answer's status and event id, in the order they came. */
  private static List<String[]> answers(String text) {
    List<String[]> answers = new ArrayList<>();
    Matcher m = ANSWER.matcher(text);
    while (m.find()) {
      answers.add(new String[] {m.group(1), m.group(2)});
    }
    return answers;
  }

  @Test
  void fiftyPostsInOneWriteAreEachPublishedAndAnsweredInOrder() throws Exception {
    try (SseTestClient a = subscribe("a");
        SseTestClient b = subscribe("b")) {
      StringBuilder requests = new StringBuilder();
      for (int n = 1; n <= 50; n++) {
        requests.append(post(n % 2 == 0 ? "b" : "a", n, n == 50));
      }
      List<String[]> answers = answers(exchange(requests.toString()));

      assertEquals(50, answers.size(), "one answer per POST");
      List<SseTestClient.Event> events = new ArrayList<>(a.awaitEvents(25, WAIT));
      events.addAll(b.awaitEvents(25, WAIT));
      events.sort((x, y) -> Integer.compare(Integer.parseInt(x.data()), Integer.parseInt(y.data())));
      for (int n = 1; n <= 50; n++) {
        assertEquals("200", answers.get(n - 1)[0], "answer " + n);
        assertEquals(events.get(n - 1).id(), answers.get(n - 1)[1], "answer " + n + " is event " + n + "'s");
      }
      for (SseTestClient client : List.of(a, b)) {
        List<SseTestClient.Event> got = client.eventsSoFar();
        for (int i = 1; i < got.size(); i++) {
          assertTrue(
              Integer.parseInt(got.get(i - 1).data()) < Integer.parseInt(got.get(i).data()),
              "in publishing order: " + got);
        }
      }
    }
  }

  @Test
  void nothingPipelinedAfterAConnectionCloseRequestIsPublished() throws Exception {
    try (SseTestClient a = subscribe("a")) {
      String text = exchange(post("a", 1, false) + post("a", 2, true) + post("a", 3, false) + post("a", 4, false));
      assertEquals(2, answers(text).size(), text);

      // A marker published afterwards comes right after event 2: 3 and 4 were never published.
      assertEquals(200, Http.post(herald.httpPort(), "/publish", "{\"topic\":\"a\",\"data\":99}").statusCode());
      List<String> data = new ArrayList<>();
      for (SseTestClient.Event event : a.awaitEvents(3, WAIT)) {
        data.add(event.data());
      }
      assertEquals(List.of("1", "2", "99"), data);
    }
  }
}
