package io.herald;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.SseTestClient;
import io.herald.testing.TestHerald;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code herald publish} against a real Herald. */
class PublishCommandTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private TestHerald herald;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void start() {
    herald = TestHerald.start();
  }

  @AfterEach
  void stop() {
    herald.close();
  }

  private int run(String stdin, String... args) {
    PublishCommand command =
        new PublishCommand()
            .streams(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    String[] withPort = new String[args.length + 2];
    withPort[0] = "--port";
    withPort[1] = String.valueOf(herald.ingestPort());
    System.arraycopy(args, 0, withPort, 2, args.length);
    return new CommandLine(command).execute(withPort);
  }

  private List<String> printedIds() {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void publishesEachArgumentAsDataJsonWhenItParsesAndTextOtherwiseAndPrintsTheIds()
      throws Exception {
    try (SseTestClient client = SseTestClient.open(herald.httpPort(), "/events?topic=demo", Map.of())) {
      client.awaitComment(c -> c.contains("herald"), WAIT);
      assertEquals(0, run("", "--topic", "demo", "--event", "note", "{\"hello\":\"world\"}", "plain text"));
      List<String> ids = printedIds();
      assertEquals(2, ids.size());
      var events = client.awaitEvents(2, WAIT);
      assertEquals(ids, events.stream().map(SseTestClient.Event::id).toList());
      assertEquals("{\"hello\":\"world\"}", events.get(0).data());
      assertEquals("plain text", events.get(1).data());
      assertEquals("note", events.get(1).type());
    }
  }

  @Test
  void readsDataLinesFromStdinWithATopicAndWholeLinesWithout() {
    assertEquals(0, run("1\n2\n3\n", "--topic", "demo"));
    assertEquals(3, printedIds().size());
    out.reset();
    assertEquals(0, run("{\"topic\":\"a\",\"data\":1}\n\n{\"topic\":\"b\",\"data\":2}\n"));
    assertEquals(2, printedIds().size());
  }

  @Test
  void streamsManyLinesWithoutDeadlocking() {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 50_000; i++) {
      lines.append(i).append('\n');
    }
    assertEquals(0, run(lines.toString(), "--topic", "bulk"));
    assertEquals(50_000, printedIds().size());
  }

  @Test
  void withAnIngestSecretItAuthenticatesFirstAndAWrongSecretExitsTwo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    herald.close();
    herald = TestHerald.start(b -> b.ingestSecret("ingest-secret-0123456789"));
    java.nio.file.Path good = java.nio.file.Files.writeString(dir.resolve("good"), "ingest-secret-0123456789\n");
    java.nio.file.Path bad = java.nio.file.Files.writeString(dir.resolve("bad"), "not-the-ingest-secret\n");
    assertEquals(0, run("", "--secret-file", good.toString(), "--topic", "demo", "1", "2"));
    assertEquals(2, printedIds().size());
    assertEquals(2, run("", "--secret-file", bad.toString(), "--topic", "demo", "3"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("refused the secret: wrong ingest secret"),
        err.toString(StandardCharsets.UTF_8));
    assertFalse(err.toString(StandardCharsets.UTF_8).contains("not-the-ingest-secret"));
    assertEquals(2, herald.server().stats().published());
  }

  @Test
  void refusedLinesAreReportedWithTheirNumberAndExitOne() {
    assertEquals(1, run("{\"topic\":\"a\",\"data\":1}\nnot json\n{\"topic\":\"bad topic\",\"data\":1}\n"));
    assertEquals(1, printedIds().size());
    String errors = err.toString(StandardCharsets.UTF_8);
    assertTrue(errors.contains("line 2: not valid JSON"), errors);
    assertTrue(errors.contains("line 3: topic contains ' '"), errors);
  }

  @Test
  void dataArgumentsWithoutTopicAreAUsageError() {
    assertEquals(2, run("", "some data"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("need --topic"));
  }

  @Test
  void unreachableIngestPortExitsTwoNamingTheAddress() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    PublishCommand command =
        new PublishCommand()
            .streams(
                new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(
        2, new CommandLine(command).execute("--port", String.valueOf(closedPort), "--topic", "t", "x"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("127.0.0.1:" + closedPort));
  }
}
