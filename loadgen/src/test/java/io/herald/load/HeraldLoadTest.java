package io.herald.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.HeraldServer;
import io.herald.config.HeraldConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import io.herald.load.client.IoTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** herald-load against a real Herald: every event reaches every stream, and the report says so. */
class HeraldLoadTest {
  @TempDir Path reports;

  private static HeraldServer herald() {
    return new HeraldServer(
            HeraldConfig.builder().httpHost("127.0.0.1").httpPort(0).ingestPort(0).adminPort(0).build())
        .start();
  }

  /** A Herald that also takes {@code POST /publish}. */
  private static HeraldServer heraldTakingPosts() {
    return new HeraldServer(
            HeraldConfig.builder()
                .httpHost("127.0.0.1").httpPort(0).ingestPort(0).adminPort(0)
                .allowHttpPublish(true)
                .build())
        .start();
  }

  /** Nothing lost, duplicated or out of order, and no stream failed. */
  private static void assertClean(String summary) {
    assertEquals(0, field(summary, "lost"), summary);
    assertEquals(0, field(summary, "duplicates"), summary);
    assertEquals(0, field(summary, "outOfOrder"), summary);
    assertTrue(summary.contains("\"failures\":{}"), summary);
  }

  private int run(HeraldServer herald, String... extra) {
    String[] base = {
      "--url", "http://127.0.0.1:" + herald.httpPort() + "/events?topic={topic}",
      "--ingest", "127.0.0.1:" + herald.ingestPort(),
      "--report", reports.toString(),
      "--duration", "2"
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return new CommandLine(new HeraldLoad()).execute(args);
  }

  @Test
  void broadcastToEveryStreamLosesNothingAndWritesTheReport() throws Exception {
    HeraldServer herald = herald();
    try {
      assertEquals(0, run(herald, "--connections", "200", "--rate", "50"));
      String summary = Files.readString(reports.resolve("summary.json"));
      assertTrue(summary.contains("\"streamsReady\":200"), summary);
      assertTrue(summary.contains("\"lost\":0,"), summary);
      assertTrue(summary.contains("\"eventsRefused\":0,"), summary);
      // Each stream read its response head, its opening comment and the events: about one event a read.
      java.util.regex.Matcher perRead = java.util.regex.Pattern.compile("\"deliveriesPerRead\":([0-9.]+)").matcher(summary);
      assertTrue(perRead.find(), summary);
      assertTrue(Double.parseDouble(perRead.group(1)) > 0.5, summary);
      // The ramp's figures: the slowest stream, and how late the last one was after its slot.
      assertTrue(java.util.regex.Pattern.compile("\"connectMaxMs\":[0-9.]+,").matcher(summary).find(), summary);
      assertTrue(java.util.regex.Pattern.compile("\"rampLateMs\":[0-9.]+,").matcher(summary).find(), summary);
      assertTrue(Files.readString(reports.resolve("latency.hgrm")).contains("Percentile"));
      String html = Files.readString(reports.resolve("report.html"));
      assertTrue(html.contains("<polyline"), "charts with data");
      assertTrue(html.contains("streams ready"), "the summary table");
    } finally {
      herald.stop();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "nio"})
  void everyTransportDeliversEveryEventToEveryStream(String transport) throws Exception {
    // A native transport this kernel lacks is a usage error, not a failed run: nothing to test.
    org.junit.jupiter.api.Assumptions.assumeTrue(available(transport), transport + " is not available here");
    HeraldServer herald = herald();
    try {
      // With a pause after each wake-up that found little to read: nothing is lost or late.
      assertEquals(0, run(herald, "--connections", "100", "--rate", "50", "--transport", transport,
          "--receive-pause", "1ms"));
      String summary = Files.readString(reports.resolve("summary.json"));
      assertTrue(summary.contains("\"transport\":\"" + transport + "\""), summary);
      assertTrue(summary.contains("\"lost\":0,"), summary);
    } finally {
      herald.stop();
    }
  }

  private static boolean available(String transport) {
    try {
      IoTransport.choose(transport);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Test
  void severalServerPidsAreSummedAndTheReportSaysHowMany() throws Exception {
    HeraldServer herald = herald();
    try {
      // Herald runs in this JVM: its pid twice is two processes' worth of CPU and RSS.
      long pid = ProcessHandle.current().pid();
      assertEquals(0, run(herald, "--connections", "20", "--rate", "50", "--server-pid", pid + "," + pid));
      String twice = Files.readString(reports.resolve("summary.json"));
      assertEquals(2, field(twice, "serverProcesses"), twice);
      assertTrue(field(twice, "serverMaxRssMiB") > 0, twice);
      assertTrue(Files.readString(reports.resolve("report.html")).contains("2 processes, summed"));
      // One pid works as it always did.
      assertEquals(0, run(herald, "--connections", "20", "--rate", "50", "--server-pid", String.valueOf(pid)));
      String once = Files.readString(reports.resolve("summary.json"));
      assertEquals(1, field(once, "serverProcesses"), once);
      assertTrue(field(once, "serverMaxRssMiB") > 0, once);
      assertTrue(field(once, "serverMaxRssMiB") < field(twice, "serverMaxRssMiB"), once + " vs " + twice);
    } finally {
      herald.stop();
    }
  }

  @Test
  void aServerPidThatIsNotANumberIsAUsageError() {
    assertEquals(2, new CommandLine(new HeraldLoad()).execute("--server-pid", "123,nginx"));
  }

  @Test
  void anUnknownTransportIsAUsageError() {
    assertEquals(2, new CommandLine(new HeraldLoad()).execute("--transport", "kqueue"));
  }

  @Test
  void publishesToAnIngestThatNeedsTheSecret() throws Exception {
    String secret = "a \"quoted\" secret of 32 bytes!";
    HeraldServer herald =
        new HeraldServer(
                HeraldConfig.builder().httpHost("127.0.0.1").httpPort(0).ingestPort(0).adminPort(0)
                    .ingestSecret(secret).build())
            .start();
    try {
      assertEquals(0, run(herald, "--connections", "20", "--rate", "50", "--ingest-secret", secret));
      String summary = Files.readString(reports.resolve("summary.json"));
      assertTrue(summary.contains("\"eventsRefused\":0,"), summary);
      assertTrue(summary.contains("\"lost\":0,"), summary);
      // A wrong secret stops the run before publishing (could not start: exit code 3).
      assertEquals(3, run(herald, "--connections", "5", "--rate", "50", "--ingest-secret", "not the secret, but as long"));
    } finally {
      herald.stop();
    }
  }

  @Test
  void manyStreamsPerHttp2ConnectionLoseNothing() {
    HeraldServer herald = herald();
    try {
      assertEquals(
          0,
          run(herald, "--connections", "300", "--protocol", "h2c", "--streams-per-connection", "100", "--rate", "50"));
    } finally {
      herald.stop();
    }
  }

  @Test
  void manyStreamsPerHttp2ConnectionOverTlsLoseNothing() throws Exception {
    Path cert = Path.of(getClass().getResource("/tls/cert.pem").toURI());
    Path key = Path.of(getClass().getResource("/tls/key.pem").toURI());
    HeraldServer herald =
        new HeraldServer(
                HeraldConfig.builder()
                    .httpHost("127.0.0.1").httpPort(0).httpsPort(0).ingestPort(0).adminPort(0)
                    .tlsCert(cert).tlsKey(key)
                    .build())
            .start();
    try {
      String[] args = {
        "--url", "https://127.0.0.1:" + herald.httpsPort() + "/events?topic={topic}",
        "--ingest", "127.0.0.1:" + herald.ingestPort(),
        "--report", reports.toString(),
        "--duration", "2",
        "--connections", "100", "--protocol", "h2", "--streams-per-connection", "50", "--rate", "50"
      };
      assertEquals(0, new CommandLine(new HeraldLoad()).execute(args));
      String summary = Files.readString(reports.resolve("summary.json"));
      assertTrue(summary.contains("\"streamsReady\":100"), summary);
      assertTrue(summary.contains("\"failures\":{}"), summary);
      assertTrue(summary.contains("\"lost\":0,"), summary);
    } finally {
      herald.stop();
    }
  }

  @Test
  void h2AgainstAPlainHttpUrlIsAUsageError() {
    String[] args = {"--url", "http://127.0.0.1:1/events", "--protocol", "h2"};
    assertEquals(2, new CommandLine(new HeraldLoad()).execute(args));
  }

  private static long field(String json, String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
    assertTrue(m.find(), name + " in " + json);
    return Long.parseLong(m.group(1));
  }

  @Test
  void churnedStreamsResumeAfterTheirLastEventIdWithoutLossOrDuplicates() throws Exception {
    HeraldServer herald = herald();
    try {
      assertEquals(0, run(herald, "--connections", "50", "--rate", "50", "--churn", "20"));
      String summary = Files.readString(reports.resolve("summary.json"));
      assertTrue(field(summary, "reconnects") > 0, summary);
      assertClean(summary);
      assertTrue(Files.readString(reports.resolve("report.html")).contains("reconnects (churn)"));
    } finally {
      herald.stop();
    }
  }

  @Test
  void stormedStreamsAllReopenAtOnceAndCatchUpByReplayWithoutLossOrDuplicates() throws Exception {
    HeraldServer herald = herald();
    try {
      assertEquals(0, run(herald, "--connections", "50", "--rate", "50", "--storm", "1", "--storm-away", "500ms"));
      String summary = Files.readString(reports.resolve("summary.json"));
      assertEquals(50, field(summary, "stormStreams"), summary);
      assertEquals(0, field(summary, "stormStillBehind"), summary);
      assertTrue(field(summary, "stormAllBackMs") >= 0, summary);
      assertEquals(50, field(summary, "reconnects"), summary);
      assertClean(summary);
      assertTrue(Files.readString(reports.resolve("report.html")).contains("storm (--storm)"));
    } finally {
      herald.stop();
    }
  }

  @Test
  void aStormThatDoesNotEndBeforeTheDurationIsAUsageError() {
    assertEquals(2, new CommandLine(new HeraldLoad()).execute("--duration", "2", "--storm", "1", "--storm-away", "1s"));
  }

  @Test
  void churnedHttp2StreamsAreResetAndResumedOnTheirConnectionWithoutLossOrDuplicates() throws Exception {
    HeraldServer herald = herald();
    try {
      assertEquals(
          0,
          run(herald, "--connections", "40", "--protocol", "h2c", "--streams-per-connection", "20",
              "--rate", "50", "--churn", "10"));
      String summary = Files.readString(reports.resolve("summary.json"));
      assertTrue(field(summary, "reconnects") > 0, summary);
      assertEquals(0, field(summary, "lost"), summary);
      assertEquals(0, field(summary, "duplicates"), summary);
      assertEquals(0, field(summary, "outOfOrder"), summary);
    } finally {
      herald.stop();
    }
  }

  @Test
  void perUserTopicsLoseNothing() {
    HeraldServer herald = herald();
    try {
      assertEquals(0, run(herald, "--connections", "100", "--topics", "per-user", "--users", "50", "--rate", "100"));
    } finally {
      herald.stop();
    }
  }

  @Test
  void aMixOfBroadcastAndPerUserStreamsGetsEveryEventOfItsTopic() throws Exception {
    HeraldServer herald = herald();
    try {
      assertEquals(
          0,
          run(herald, "--connections", "100", "--topics", "mix", "--broadcast-share", "30", "--users", "10",
              "--rate", "100"));
      String summary = Files.readString(reports.resolve("summary.json"));
      long published = field(summary, "eventsPublished");
      long expected = field(summary, "deliveriesExpected");
      // 30 streams read every broadcast event (30%), 70 streams read one of 10 users' share (70% / 10 each).
      long broadcastEvents = published * 30 / 100;
      long perUserEvents = (published - broadcastEvents) / 10;
      assertTrue(Math.abs(expected - (30 * broadcastEvents + 70 * perUserEvents)) <= 100, summary);
      assertEquals(expected, field(summary, "deliveriesReceived"), summary);
      assertEquals(0, field(summary, "lost"), summary);
    } finally {
      herald.stop();
    }
  }

  @Test
  void eventsDueDuringTheWarmupAreCheckedForLossButLeftOutOfTheLatencyFigures() throws Exception {
    HeraldServer herald = herald();
    try {
      assertEquals(0, run(herald, "--connections", "20", "--rate", "50", "--warmup", "1s"));
      String summary = Files.readString(reports.resolve("summary.json"));
      long received = field(summary, "deliveriesReceived");
      long samples = field(summary, "latencySamples");
      assertEquals(field(summary, "deliveriesExpected"), received, summary);
      assertEquals(0, field(summary, "lost"), summary);
      // 2 s of publishing, the first second warm-up: about half the deliveries are timed.
      assertTrue(samples > 0 && samples < received * 3 / 4, summary);
      // The after-warm-up CPU figures count the deliveries of the same second.
      long afterWarmup = field(summary, "deliveriesAfterWarmup");
      assertTrue(afterWarmup > 0 && afterWarmup < received * 3 / 4, summary);
    } finally {
      herald.stop();
    }
  }

  @Test
  void aWarmupNotShorterThanTheDurationIsAUsageError() {
    String[] args = {"--duration", "2", "--warmup", "2s"};
    assertEquals(2, new CommandLine(new HeraldLoad()).execute(args));
  }

  @Test
  void publishingOverHttpLosesNothing() {
    HeraldServer herald = heraldTakingPosts();
    try {
      assertEquals(
          0,
          run(herald, "--connections", "50", "--rate", "50", "--publish", "http",
              "--publish-url", "http://127.0.0.1:" + herald.httpPort() + "/publish"));
    } finally {
      herald.stop();
    }
  }

  @Test
  void publishingOverSeveralHttpConnectionsKeepsEachTopicInOrderAndLosesNothing() throws Exception {
    HeraldServer herald = heraldTakingPosts();
    try {
      // Out-of-order or missing events of any topic would fail the run (exit 1).
      assertEquals(
          0,
          run(herald, "--connections", "40", "--topics", "per-user", "--users", "40", "--rate", "400",
              "--publish", "http", "--publish-connections", "4",
              "--publish-url", "http://127.0.0.1:" + herald.httpPort() + "/publish"));
      String summary = Files.readString(reports.resolve("summary.json"));
      long published = field(summary, "eventsPublished");
      assertTrue(published >= 790, summary); // 400/s for 2 s
      assertEquals(published, field(summary, "eventsAcknowledged"), summary);
      assertEquals(published, field(summary, "deliveriesReceived"), "one stream a topic: " + summary);
      assertTrue(summary.contains("\"lost\":0,"), summary);
      assertTrue(summary.contains("\"outOfOrder\":0,"), summary);
    } finally {
      herald.stop();
    }
  }

  @Test
  void streamsThatCannotOpenMakeTheRunFail() {
    HeraldServer herald = herald();
    try {
      // A topic Herald refuses (400): no stream opens, so the run must not pass.
      String[] args = {
        "--url", "http://127.0.0.1:" + herald.httpPort() + "/events?topic=bad%20topic",
        "--ingest", "127.0.0.1:" + herald.ingestPort(),
        "--report", reports.toString(), "--duration", "1", "--connections", "5", "--connect-timeout", "10"
      };
      assertEquals(1, new CommandLine(new HeraldLoad()).execute(args));
    } finally {
      herald.stop();
    }
  }
}
