package io.herald;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.IngestTestClient;
import io.herald.testing.SseTestClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The daemon as an operator runs it: a separate process, configured by flags, environment and
 * file, announcing its ports in one start-up line, and stopping on SIGTERM with exit status 0
 * after telling its streams to come back.
 */
class HeraldProcessTest {
  private static final Pattern STARTED =
      Pattern.compile("herald started http=\\S+:(\\d+) .*ingest=\\S+:(\\d+) admin=\\S+:(\\d+)");

  private static Process launch(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-Dlogback.configurationFile=logback.xml");
    command.add(Herald.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    return builder.start();
  }

  @Test
  @Timeout(120) // a process that never announces itself must fail the test, not hang the suite
  void announcesItsPortsAndStopsOnSigtermWithExitZeroAfterAskingStreamsToRetry()
      throws Exception {
    Path config = Path.of(System.getProperty("java.io.tmpdir"), "herald-process-test.conf");
    java.nio.file.Files.writeString(config, "# test\nadmin-port = 0\nretry = 1500\n");
    Process herald =
        launch(
            Map.of("HERALD_INGEST_PORT", "0"),
            "--http-host", "127.0.0.1", "--http-port", "0", "--config", config.toString());
    try {
      // The log is read on another thread: Process.destroy() closes the pipes, and a missing
      // start-up line must fail the test, not block it.
      java.util.concurrent.BlockingQueue<String> lines =
          new java.util.concurrent.LinkedBlockingQueue<>();
      StringBuffer rest = new StringBuffer();
      Thread drain =
          new Thread(
              () -> {
                try (BufferedReader log =
                    new BufferedReader(
                        new InputStreamReader(herald.getInputStream(), StandardCharsets.UTF_8))) {
                  String more;
                  while ((more = log.readLine()) != null) {
                    lines.add(more);
                    rest.append(more).append('\n');
                  }
                } catch (java.io.IOException closed) {
                  // the pipe closed with the process
                }
              });
      drain.setDaemon(true);
      drain.start();
      Matcher started = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (started == null && System.nanoTime() < deadline) {
        String line = lines.poll(1, TimeUnit.SECONDS);
        Matcher m = line == null ? null : STARTED.matcher(line);
        if (m != null && m.find()) {
          started = m;
        }
      }
      assertTrue(started != null, "no start-up line in: " + rest);
      int httpPort = Integer.parseInt(started.group(1));
      int ingestPort = Integer.parseInt(started.group(2));
      try (SseTestClient client = SseTestClient.open(httpPort, "/events?topic=p", Map.of());
          IngestTestClient ingest = new IngestTestClient(ingestPort)) {
        client.awaitComment(c -> c.contains("herald"), Duration.ofSeconds(10));
        String id = ingest.publish("p", "\"before stop\"");
        assertEquals(id, client.awaitEvent(Duration.ofSeconds(10)).id());

        new ProcessBuilder("kill", "-TERM", String.valueOf(herald.pid())).start().waitFor();
        assertTrue(herald.waitFor(30, TimeUnit.SECONDS), "did not stop");
        assertEquals(0, herald.exitValue());
        client.awaitClosed(Duration.ofSeconds(10));
        List<Integer> retries = client.retries();
        assertEquals(1500, retries.get(0));
        int comeBack = retries.get(retries.size() - 1);
        assertTrue(retries.size() == 2 && comeBack >= 1500 && comeBack <= 3000, retries.toString());
      }
      drain.join(10_000);
      assertTrue(rest.toString().contains("herald stopped"), rest.toString());
    } finally {
      herald.destroyForcibly();
      java.nio.file.Files.deleteIfExists(config);
    }
  }

  @Test
  @Timeout(120)
  void withLogFormatJsonEveryLineIsOneJsonObjectAndTheStartupLineCarriesItsSettingsAsFields()
      throws Exception {
    Process herald =
        launch(
            Map.of("HERALD_LOG_FORMAT", "json", "HERALD_INGEST_PORT", "0"),
            "--http-host", "127.0.0.1", "--http-port", "0", "--admin-port", "0");
    try {
      BufferedReader log =
          new BufferedReader(new InputStreamReader(herald.getInputStream(), StandardCharsets.UTF_8));
      com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
      List<com.fasterxml.jackson.databind.JsonNode> lines = new ArrayList<>();
      com.fasterxml.jackson.databind.JsonNode started = null;
      // Read on this thread: @Timeout ends a process that never starts (destroyForcibly below
      // then closes the pipe).
      String text;
      while (started == null && (text = log.readLine()) != null) {
        com.fasterxml.jackson.databind.JsonNode line = json.readTree(text);
        assertTrue(line != null && line.isObject(), "not a JSON object: " + text);
        lines.add(line);
        if (line.path("msg").asText().startsWith("herald started ")) {
          started = line;
        }
      }
      assertTrue(started != null, "no start-up line in " + lines);
      assertEquals("INFO", started.get("level").asText());
      assertEquals(HeraldServer.class.getName(), started.get("logger").asText());
      java.time.Instant ts = java.time.Instant.parse(started.get("ts").asText());
      assertTrue(started.get("ts").asText().endsWith("Z"), "UTC: " + ts);
      assertTrue(Math.abs(java.time.Duration.between(ts, java.time.Instant.now()).toMinutes()) < 5, ts.toString());
      assertEquals("single", started.get("mode").asText());
      assertTrue(started.get("transport").isTextual() && !started.get("transport").asText().isEmpty());
      assertTrue(started.get("event-loops").isInt(), started.toString());
      int httpPort = started.get("http-port").asInt();
      int ingestPort = started.get("ingest-port").asInt();
      assertTrue(started.get("http-port").isInt() && httpPort > 0, started.toString());
      assertTrue(started.get("admin-port").isInt() && started.get("admin-port").asInt() > 0);
      assertEquals("127.0.0.1:" + httpPort, started.get("http").asText());
      assertEquals("off", started.get("https").asText());
      assertFalse(started.has("https-port"), started.toString());

      try (SseTestClient client = SseTestClient.open(httpPort, "/events?topic=j", Map.of());
          IngestTestClient ingest = new IngestTestClient(ingestPort)) {
        client.awaitComment(c -> c.contains("herald"), Duration.ofSeconds(10));
        String id = ingest.publish("j", "\"one\"");
        assertEquals(id, client.awaitEvent(Duration.ofSeconds(10)).id());
      }
      new ProcessBuilder("kill", "-TERM", String.valueOf(herald.pid())).start().waitFor();
      while ((text = log.readLine()) != null) {
        com.fasterxml.jackson.databind.JsonNode line = json.readTree(text);
        assertTrue(line != null && line.isObject(), "not a JSON object: " + text);
        lines.add(line);
      }
      assertTrue(herald.waitFor(30, TimeUnit.SECONDS), "did not stop");
      assertEquals(0, herald.exitValue());
      com.fasterxml.jackson.databind.JsonNode stopped = lines.get(lines.size() - 1);
      assertTrue(stopped.get("msg").asText().startsWith("herald stopped "), lines.toString());
      assertEquals(1, stopped.get("published").asLong(), stopped.toString());
      assertEquals(1, stopped.get("delivered").asLong(), stopped.toString());
      // Open mode is a warning, and in JSON too.
      assertTrue(
          lines.stream().anyMatch(l -> l.get("level").asText().equals("WARN")
              && l.get("msg").asText().startsWith("OPEN MODE")),
          lines.toString());
      for (com.fasterxml.jackson.databind.JsonNode line : lines) {
        for (String field : List.of("ts", "level", "logger", "thread", "msg")) {
          assertTrue(line.hasNonNull(field), field + " in " + line);
        }
      }
    } finally {
      herald.destroyForcibly();
    }
  }

  @Test
  void refusesAnUnknownLogFormatNamingTheSetting() throws Exception {
    Process herald = launch(Map.of(), "--log-format", "xml");
    assertTrue(herald.waitFor(30, TimeUnit.SECONDS));
    String output = new String(herald.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, herald.exitValue());
    assertTrue(output.contains("--log-format must be text or json (got xml)"), output);
  }

  @Test
  void refusesAnInvalidSettingWithAMessageNamingItAndExitTwo() throws Exception {
    Process herald = launch(Map.of("HERALD_QUEUE_BYTES", "1MB"));
    assertTrue(herald.waitFor(30, TimeUnit.SECONDS));
    String output = new String(herald.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, herald.exitValue());
    assertTrue(output.contains("--queue-bytes"), output);
    assertTrue(output.contains("HERALD_QUEUE_BYTES"), output);
  }
}
