package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.history.EventId;
import io.herald.testing.IngestTestClient;
import io.herald.testing.SseTestClient;
import io.herald.testing.TestHerald;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IngestProtocolTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private TestHerald herald;

  @BeforeEach
  void start() {
    herald = TestHerald.start(b -> b.ingestMaxLine(1024));
  }

  @AfterEach
  void stop() {
    herald.close();
  }

  @Test
  void malformedLineGetsAnErrorWithItsNumberAndTheConnectionGoesOn() throws Exception {
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      ingest.send("{\"topic\":\"t\",\"data\":1}\nnot json\n{\"topic\":\"bad topic\",\"data\":1}\n{\"topic\":\"t\",\"data\":2}\n");
      List<String> replies = ingest.replies(4);
      assertTrue(replies.get(0).startsWith("{\"id\":\""), replies.get(0));
      assertTrue(replies.get(1).startsWith("{\"error\":\"not valid JSON"), replies.get(1));
      assertTrue(replies.get(1).endsWith(",\"line\":2}"), replies.get(1));
      assertTrue(replies.get(2).contains("topic"), replies.get(2));
      assertTrue(replies.get(2).endsWith(",\"line\":3}"), replies.get(2));
      assertTrue(replies.get(3).startsWith("{\"id\":\""), replies.get(3));
    }
  }

  @Test
  void overlongLineIsRefusedWithoutClosingTheConnection() throws Exception {
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      String huge = "{\"topic\":\"t\",\"data\":\"" + "z".repeat(5000) + "\"}";
      ingest.send(huge + "\n{\"topic\":\"t\",\"data\":\"small\"}\n");
      List<String> replies = ingest.replies(2);
      assertTrue(replies.get(0).startsWith("{\"error\":"), replies.get(0));
      assertTrue(replies.get(0).endsWith(",\"line\":1}"), replies.get(0));
      assertTrue(replies.get(1).startsWith("{\"id\":\""), replies.get(1));
    }
  }

  @Test
  void httpRequestOnTheIngestPortClosesTheConnectionAndPublishesNothing() throws Exception {
    try (SseTestClient subscriber = SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of());
        IngestTestClient browser = new IngestTestClient(herald.ingestPort())) {
      subscriber.awaitComment(c -> c.contains("herald"), WAIT);
      browser.send(
          "POST / HTTP/1.1\r\nHost: 127.0.0.1:7070\r\nContent-Type: text/plain\r\n\r\n"
              + "{\"topic\":\"t\",\"data\":\"forged\"}\n");
      assertEquals(List.of(), browser.readUntilClosed());
      assertEquals(0, herald.server().stats().published());
      try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
        String id = ingest.publish("t", "\"real\"");
        var first = subscriber.awaitEvent(WAIT);
        assertEquals(id, first.id(), "the forged event must never have been published");
      }
    }
  }

  @Test
  void pipelinedLinesAreAllAcknowledgedInOrderWithIncreasingIds() throws Exception {
    int n = 10_000;
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < n; i++) {
        lines.append("{\"topic\":\"bulk\",\"data\":").append(i).append("}\n");
      }
      EventId previous = null;
      for (String reply : ingest.pipeline(lines.toString(), n)) {
        EventId id = EventId.parse(IngestTestClient.idOf(reply));
        assertTrue(previous == null || id.compareTo(previous) > 0, reply);
        previous = id;
      }
    }
  }

  @Test
  void lineSplitAcrossManyWritesIsOneEvent() throws Exception {
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      String line = "{\"topic\":\"t\",\"data\":\"split\"}\r\n";
      for (char c : line.toCharArray()) {
        ingest.send(String.valueOf(c));
      }
      assertTrue(ingest.reply().startsWith("{\"id\":\""));
    }
  }
}
