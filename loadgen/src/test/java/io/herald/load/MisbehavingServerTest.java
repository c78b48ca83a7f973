package io.herald.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** herald-load against servers that lose, repeat, reorder or delay events on purpose. */
class MisbehavingServerTest {
  @TempDir Path reports;

  private String runAgainst(FakeSseServer server, int connections, String rate, String duration, int expectedExit)
      throws Exception {
    return runAgainst(server, connections, rate, duration, expectedExit, new String[0]);
  }

  private String runAgainst(
      FakeSseServer server, int connections, String rate, String duration, int expectedExit, String... more)
      throws Exception {
    String[] base = {
      "--url", "http://127.0.0.1:" + server.ssePort() + "/events?topic={topic}",
      "--ingest", "127.0.0.1:" + server.ingestPort(),
      "--report", reports.toString(),
      "--connections", String.valueOf(connections),
      "--rate", rate,
      "--duration", duration,
      "--drain-seconds", "1"
    };
    String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(more))
        .toArray(String[]::new);
    assertEquals(expectedExit, new CommandLine(new HeraldLoad()).execute(args));
    return Files.readString(reports.resolve("summary.json"));
  }

  private static long field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
    assertTrue(m.find(), name + " in " + json);
    return Long.parseLong(m.group(1));
  }

  @Test
  void countsEveryLostRepeatedAndReorderedEventExactly() throws Exception {
    // Of events 1..10: 3 is never sent, 5 is sent twice, 8 comes before 7.
    try (FakeSseServer server =
        new FakeSseServer(
            k -> k == 3 ? new long[0]
                : k == 5 ? new long[] {5, 5}
                : k == 7 ? new long[0]
                : k == 8 ? new long[] {8, 7}
                : new long[] {k},
            0)) {
      String summary = runAgainst(server, 4, "20", "1", 1);
      long published = field(summary, "eventsPublished");
      assertTrue(published >= 10, summary);
      assertEquals(4, field(summary, "streamsReady"));
      // per stream: 3 lost, 5 duplicated, 7 late
      assertEquals(4, field(summary, "lost"), summary);
      assertEquals(4, field(summary, "duplicates"), summary);
      assertEquals(4, field(summary, "outOfOrder"), summary);
    }
  }

  @Test
  void withReconnectAStreamTheServerClosedResumesWithLastEventIdAndNothingIsLost() throws Exception {
    // After event 10 the server ends every stream (retry: 50, close); they come back with
    // Last-Event-ID: 10 and the server replays what was published meanwhile.
    try (FakeSseServer server =
        new FakeSseServer(k -> k == 10 ? new long[] {k, FakeSseServer.CLOSE_ALL} : new long[] {k}, 0)) {
      String summary = runAgainst(server, 3, "20", "2", 0, "--reconnect");
      assertTrue(field(summary, "eventsPublished") >= 30, summary);
      assertEquals(0, field(summary, "lost"), summary);
      assertEquals(0, field(summary, "duplicates"), summary);
      assertEquals(3, field(summary, "closed-by-server"), "three drops: " + summary);
      assertEquals(3, field(summary, "reopened"), summary);
      assertEquals(0, field(summary, "streamsStillDown"), summary);
      // Usually one outage of all three; on a starved machine a stream may be back before the
      // others' closes were read, which splits it: at least one outage, none of more than three.
      Matcher down = Pattern.compile("\"maxDown\":(\\d+)").matcher(summary);
      int outages = 0;
      while (down.find()) {
        outages++;
        long most = Long.parseLong(down.group(1));
        assertTrue(most >= 1 && most <= 3, "an outage of 1 to 3 streams: " + summary);
      }
      assertTrue(outages >= 1, "the drops were an outage: " + summary);
      assertTrue(summary.contains("\"failures\":{}"), "a drop is no failure: " + summary);
    }
  }

  @Test
  void withoutReconnectAStreamTheServerClosedIsAFailure() throws Exception {
    try (FakeSseServer server =
        new FakeSseServer(k -> k == 5 ? new long[] {k, FakeSseServer.CLOSE_ALL} : new long[] {k}, 0)) {
      String summary = runAgainst(server, 2, "20", "1", 1);
      assertEquals(2, field(summary, "closed-by-server"), summary);
      assertTrue(!summary.contains("\"reopened\""), summary);
    }
  }

  @Test
  void latencyIncludesTheServersDelay() throws Exception {
    try (FakeSseServer server = new FakeSseServer(k -> new long[] {k}, 50)) {
      String summary = runAgainst(server, 2, "5", "2", 0);
      double p50 = Double.parseDouble(summary.replaceAll(".*\"latencyP50Ms\":([0-9.]+).*", "$1"));
      assertTrue(p50 >= 50, "the 50 ms the server holds each event is in the latency: " + summary);
      assertTrue(p50 < 5000, summary);
    }
  }
}
