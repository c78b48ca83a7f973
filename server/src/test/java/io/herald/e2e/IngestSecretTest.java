package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.config.HeraldConfig;
import io.herald.testing.IngestTestClient;
import io.herald.testing.SseTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --ingest-secret}: an ingest connection proves it knows the secret before it publishes. */
class IngestSecretTest extends HeraldTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String SECRET = "ingest-secret-0123456789";

  @TempDir Path dir;

  @Test
  void aConnectionWithTheSecretPublishesAfterItsAuthLine() throws Exception {
    start(b -> b.ingestSecret(SECRET));
    try (SseTestClient subscriber = SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of());
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      subscriber.awaitComment(c -> c.contains("herald"), WAIT);
      ingest.line("{\"auth\":\"" + SECRET + "\"}");
      assertEquals("{\"ok\":true}", ingest.reply());
      ingest.publish("t", "\"hello\"");
      assertEquals("hello", subscriber.awaitEvent(WAIT).data());
    }
  }

  @Test
  void aWrongSecretGetsAnErrorAndTheCloseAndNothingIsPublished() throws Exception {
    start(b -> b.ingestSecret(SECRET));
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      // The events come in the same write as the wrong secret: none may get through.
      ingest.send("{\"auth\":\"not-the-secret-at-all\"}\n{\"topic\":\"t\",\"data\":1}\n{\"topic\":\"t\",\"data\":2}\n");
      List<String> replies = ingest.readUntilClosed();
      assertEquals(List.of("{\"error\":\"wrong ingest secret\",\"line\":1}"), replies);
    }
    assertEquals(0, herald.server().stats().published());
  }

  @Test
  void aConnectionThatStartsWithAnEventGetsAnErrorAndTheClose() throws Exception {
    start(b -> b.ingestSecret(SECRET));
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      ingest.send("{\"topic\":\"t\",\"data\":1}\n{\"auth\":\"" + SECRET + "\"}\n");
      List<String> replies = ingest.readUntilClosed();
      assertEquals(1, replies.size(), replies.toString());
      assertTrue(replies.get(0).startsWith("{\"error\":\"this ingest port needs authentication"), replies.get(0));
      assertTrue(replies.get(0).endsWith(",\"line\":1}"), replies.get(0));
      assertFalse(replies.get(0).contains(SECRET));
    }
    assertEquals(0, herald.server().stats().published());
  }

  @Test
  void theSecretCanComeFromAFile() throws Exception {
    Path file = Files.writeString(dir.resolve("ingest.secret"), SECRET + "\n");
    start(b -> b.ingestSecretFile(file));
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      ingest.line("{\"auth\": \"" + SECRET + "\"}");
      assertEquals("{\"ok\":true}", ingest.reply());
      ingest.publish("t", "1");
    }
    assertEquals(1, herald.server().stats().published());
  }

  @Test
  void bindingTheIngestOffLoopbackWithoutASecretRefusesToStart() {
    for (String host : List.of("0.0.0.0", "::", "192.0.2.10")) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class,
              () -> HeraldConfig.builder().ingestHost(host).build(), host);
      assertTrue(refused.getMessage().startsWith("--ingest-host is not a loopback address"),
          refused.getMessage());
      assertTrue(refused.getMessage().contains("--ingest-secret"), refused.getMessage());
    }
    HeraldConfig.builder().ingestHost("0.0.0.0").ingestSecret(SECRET).build();
    HeraldConfig.builder().ingestHost("localhost").build();
    HeraldConfig.builder().ingestHost("::1").build();
    IllegalArgumentException tooShort =
        assertThrows(IllegalArgumentException.class,
            () -> HeraldConfig.builder().ingestSecret("short-secret").build());
    assertTrue(tooShort.getMessage().startsWith("--ingest-secret must be at least 16 bytes"),
        tooShort.getMessage());
    assertFalse(tooShort.getMessage().contains("short-secret"), "the secret is never in a message");
  }
}
