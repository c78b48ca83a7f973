package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.Http;
import io.herald.testing.TestHerald;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpRoutingTest {
  private TestHerald herald;

  @BeforeEach
  void start() {
    herald = TestHerald.start(b -> b.maxTopics(3));
  }

  @AfterEach
  void stop() {
    herald.close();
  }

  @Test
  void unknownPathIs404() throws Exception {
    assertEquals(404, Http.get(herald.httpPort(), "/nope").statusCode());
  }

  @Test
  void wrongMethodIs405WithAllow() throws Exception {
    HttpResponse<String> post = Http.post(herald.httpPort(), "/events?topic=a", "");
    assertEquals(405, post.statusCode());
    assertEquals("GET", post.headers().firstValue("Allow").orElse(""));
    HttpResponse<String> get = Http.get(herald.httpPort(), "/publish");
    assertEquals(405, get.statusCode());
    assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
  }

  @Test
  void badSubscriptionsAre400WithAPlainTextReason() throws Exception {
    HttpResponse<String> none = Http.get(herald.httpPort(), "/events");
    assertEquals(400, none.statusCode());
    assertTrue(none.body().contains("topic"), none.body());
    assertTrue(none.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));

    HttpResponse<String> bad = Http.get(herald.httpPort(), "/events?topic=a%20b");
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("bad topic 'a b'"), bad.body());

    HttpResponse<String> tooLong = Http.get(herald.httpPort(), "/events?topic=" + "x".repeat(200));
    assertEquals(400, tooLong.statusCode());

    HttpResponse<String> tooMany =
        Http.get(herald.httpPort(), "/events?topic=a&topic=b&topic=c&topic=d");
    assertEquals(400, tooMany.statusCode());
    assertTrue(tooMany.body().contains("too many topics"), tooMany.body());
  }

  @Test
  void pipelinedRequestsOnOneConnectionAreAnsweredInOrder() throws Exception {
    String body = "{\"topic\":\"p\",\"data\":1}";
    String requests =
        "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length()
            + "\r\n\r\n"
            + body
            + "GET /events HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    try (Socket socket = new Socket("127.0.0.1", herald.httpPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
      BufferedReader in =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      List<String> statusLines = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("HTTP/1.1 ")) {
          statusLines.add(line);
        }
      }
      assertEquals(
          List.of(
              "HTTP/1.1 404 Not Found",
              "HTTP/1.1 200 OK",
              "HTTP/1.1 400 Bad Request",
              "HTTP/1.1 404 Not Found"),
          statusLines);
    }
  }

  @Test
  void publishingOverHttpIsRefusedUnlessAllowed() throws Exception {
    herald.close();
    herald = TestHerald.start(b -> b.allowHttpPublish(false));
    HttpResponse<String> refused =
        Http.post(herald.httpPort(), "/publish", "{\"topic\":\"a\",\"data\":1}");
    assertEquals(403, refused.statusCode());
    assertTrue(refused.body().contains("--allow-http-publish"), refused.body());
  }

  @Test
  void adminPortServesHealthAndStats() throws Exception {
    Http.post(herald.httpPort(), "/publish", "{\"topic\":\"a\",\"data\":1}");
    HttpResponse<String> health = Http.get(herald.adminPort(), "/healthz");
    assertEquals(200, health.statusCode());
    HttpResponse<String> stats = Http.get(herald.adminPort(), "/stats");
    assertEquals(200, stats.statusCode());
    assertTrue(stats.body().contains("\"in\":1"), stats.body());
    assertTrue(stats.body().contains("\"history\":{\"events\":1"), stats.body());
    assertEquals(404, Http.get(herald.adminPort(), "/nope").statusCode());
  }
}
