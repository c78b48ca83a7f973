package io.herald.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.HeraldServer;
import io.herald.config.HeraldConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** What herald-load's exit code says, and that --help documents every option and every code. */
class ExitCodesTest {
  @TempDir Path reports;

  /** Error output that is kept, and opens {@code publishing} once publishing started. */
  private static final class Err extends Writer {
    final StringBuffer text = new StringBuffer();
    final CountDownLatch publishing = new CountDownLatch(1);

    @Override
    public void write(char[] buf, int off, int len) {
      text.append(buf, off, len);
      if (text.indexOf("publishing ") >= 0) {
        publishing.countDown();
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort(); // closed again: connections to it are refused
    }
  }

  private static HeraldServer herald() {
    return new HeraldServer(
            HeraldConfig.builder().httpHost("127.0.0.1").httpPort(0).ingestPort(0).adminPort(0).build())
        .start();
  }

  private static CommandLine command(Err err) {
    return new CommandLine(new HeraldLoad()).setErr(new PrintWriter(err, true));
  }

  @Test
  void abortsWithExitCode3OnceMaxErrorsConnectionsFailed() throws Exception {
    Err err = new Err();
    int exit =
        command(err)
            .execute(
                "--url", "http://127.0.0.1:" + freePort() + "/events?topic={topic}",
                "--connections", "20", "--max-errors", "3", "--connect-timeout", "120",
                "--report", reports.toString());
    assertEquals(3, exit, err.text.toString());
    assertTrue(err.text.toString().contains("aborted: "), err.text.toString());
    assertTrue(err.text.toString().contains("--max-errors 3"), err.text.toString());
    assertTrue(err.text.toString().contains("connect-refused"), err.text.toString());
  }

  @Test
  void abortsPublishingWithExitCode3WhenTheServerDropsTheStreams() throws Exception {
    HeraldServer herald = herald();
    Err err = new Err();
    try {
      CompletableFuture<Integer> exit =
          CompletableFuture.supplyAsync(
              () ->
                  command(err)
                      .execute(
                          "--url", "http://127.0.0.1:" + herald.httpPort() + "/events?topic={topic}",
                          "--ingest", "127.0.0.1:" + herald.ingestPort(),
                          "--connections", "10", "--rate", "20", "--duration", "600", "--max-errors", "5",
                          "--report", reports.toString()));
      assertTrue(err.publishing.await(60, TimeUnit.SECONDS), err.text.toString());
      herald.stop(); // every stream is closed by the server: 10 disconnects
      assertEquals(3, exit.get(60, TimeUnit.SECONDS), "not the 600 s of --duration: " + err.text);
      assertTrue(err.text.toString().contains("--max-errors 5"), err.text.toString());
      assertTrue(reports.resolve("summary.json").toFile().isFile(), "the report of what ran");
    } finally {
      herald.stop();
    }
  }

  @Test
  void anIngestThatCannotBeReachedIsExitCode3() throws Exception {
    HeraldServer herald = herald();
    Err err = new Err();
    try {
      int exit =
          command(err)
              .execute(
                  "--url", "http://127.0.0.1:" + herald.httpPort() + "/events?topic={topic}",
                  "--ingest", "127.0.0.1:" + freePort(),
                  "--connections", "5", "--report", reports.toString());
      assertEquals(3, exit, err.text.toString());
      assertTrue(err.text.toString().contains("could not connect to the ingest"), err.text.toString());
    } finally {
      herald.stop();
    }
  }

  @Test
  void badOptionsAreExitCode2() {
    assertEquals(2, command(new Err()).execute("--connections", "many"));
    assertEquals(2, command(new Err()).execute("--topics", "some"));
    assertEquals(2, command(new Err()).execute("--broadcast-share", "101"));
    assertEquals(2, command(new Err()).execute("--churn", "-1"));
    assertEquals(2, command(new Err()).execute("--url", "http://127.0.0.1/events?topic=a b"));
  }

  @Test
  void helpDescribesEveryOptionAndEveryExitCode() {
    CommandLine command = new CommandLine(new HeraldLoad());
    StringWriter out = new StringWriter();
    assertEquals(0, command.setOut(new PrintWriter(out)).execute("--help"));
    String help = out.toString();
    for (OptionSpec option : command.getCommandSpec().options()) {
      assertTrue(help.contains(option.longestName()), option.longestName());
      assertFalse(String.join("", option.description()).isBlank(), option.longestName() + " has a description");
    }
    assertTrue(help.contains("Exit codes:"), help);
    for (String code : new String[] {"0   clean", "1   events lost", "2   bad options", "3   could not start"}) {
      assertTrue(help.contains(code), code + " in " + help);
    }
  }
}
