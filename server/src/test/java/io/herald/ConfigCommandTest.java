package io.herald;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code herald config --print}, the shipped example config file, and the refusal of an invalid
 * configuration before anything starts.
 */
class ConfigCommandTest {
  /** The example shipped with Herald; tests run in server/. */
  private static final Path EXAMPLE = Path.of("..", "config", "herald.conf");

  @TempDir Path dir;

  private record Result(int exit, String out, String err) {}

  private static Result herald(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Herald.run(args, env, new PrintWriter(out), new PrintWriter(err));
    return new Result(exit, out.toString(), err.toString());
  }

  /** The setting lines of a config text, without comments and blank lines. */
  private static List<String> settings(String text) {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  @Test
  void printsEverySettingWithItsDefaultInTheConfigFileFormat() {
    Result result = herald(Map.of(), "config", "--print");
    assertEquals(0, result.exit(), result.err());
    List<String> lines = settings(result.out());
    assertTrue(lines.contains("http-port = 8080"), result.out());
    assertTrue(lines.contains("heartbeat = 25s"), result.out());
    assertTrue(lines.contains("history-bytes = 64MiB"), result.out());
    assertTrue(lines.contains("retry = 3000"), result.out());
    assertTrue(lines.contains("allow-http-publish = false"), result.out());
    assertTrue(result.out().contains("\n# tls-cert =\n"), "unset settings print as a comment");
    for (OptionSpec option : Herald.commandLine().getCommandSpec().options()) {
      String name = option.longestName().substring(2);
      if (option.usageHelp() || option.versionHelp() || name.equals("config")) {
        continue;
      }
      assertTrue(
          result.out().lines().anyMatch(l -> l.startsWith(name + " = ") || l.equals("# " + name + " =")),
          "prints " + name);
    }
  }

  @Test
  void flagBeatsEnvironmentWhichBeatsFileAndEachSaysWhereItCameFrom() throws IOException {
    Path file = Files.writeString(dir.resolve("h.conf"), "http-port = 1000\nadmin-port = 1001\nheartbeat = 5s\n");
    Result result =
        herald(
            Map.of("HERALD_ADMIN_PORT", "2001", "HERALD_HEARTBEAT", "500ms"),
            "--heartbeat", "90s", "config", "--print", "--config", file.toString());
    assertEquals(0, result.exit(), result.err());
    List<String> lines = settings(result.out());
    assertTrue(lines.contains("http-port = 1000"), result.out());
    assertTrue(lines.contains("admin-port = 2001"), result.out());
    assertTrue(lines.contains("heartbeat = 90s"), result.out());
    assertTrue(result.out().contains("# http-port: from " + file + " line 1\n"), result.out());
    assertTrue(result.out().contains("# admin-port: from environment variable HERALD_ADMIN_PORT\n"), result.out());
    assertTrue(result.out().contains("# heartbeat: from command line\n"), result.out());
  }

  @Test
  void masksEverySecretValueAndNothingElse() throws IOException {
    assertTrue(ConfigCommand.isSecret("jwt-secret"));
    assertTrue(ConfigCommand.isSecret("publish-key"));
    assertTrue(ConfigCommand.isSecret("ingest-secret"));
    assertTrue(ConfigCommand.isSecret("redis-password"));
    assertFalse(ConfigCommand.isSecret("tls-key"), "a path");
    assertFalse(ConfigCommand.isSecret("jwt-public-key"), "a path to a public key");
    assertFalse(ConfigCommand.isSecret("allow-query-token"), "a switch");
    Result result =
        herald(Map.of(), "--jwt-secret", "0123456789abcdef0123456789abcdef-do-not-print",
            "--publish-key", "publisher-key-do-not-print-1234",
            "--ingest-secret", "ingest-secret-do-not-print-5678",
            "--redis", "redis://10.0.0.5:6379", "--redis-password", "redis-password-do-not-print",
            "config", "--print");
    assertEquals(0, result.exit(), result.err());
    assertTrue(settings(result.out()).contains("jwt-secret = " + ConfigCommand.MASK), result.out());
    assertTrue(settings(result.out()).contains("publish-key = " + ConfigCommand.MASK), result.out());
    assertTrue(settings(result.out()).contains("ingest-secret = " + ConfigCommand.MASK), result.out());
    assertTrue(settings(result.out()).contains("redis-password = " + ConfigCommand.MASK), result.out());
    assertTrue(settings(result.out()).contains("redis = redis://10.0.0.5:6379"), result.out());
    assertFalse(result.out().contains("do-not-print"), result.out());
  }

  @Test
  void itsOutputIsAConfigFileThatResolvesToTheSameSettings() throws IOException {
    Result first = herald(Map.of("HERALD_QUEUE_BYTES", "2MiB"), "--padding", "2048", "config", "--print");
    assertEquals(0, first.exit(), first.err());
    Path file = Files.writeString(dir.resolve("printed.conf"), first.out());
    Result second = herald(Map.of(), "config", "--print", "--config", file.toString());
    assertEquals(0, second.exit(), second.err());
    assertEquals(settings(first.out()), settings(second.out()));
  }

  @Test
  void theExampleConfigFileParsesListsEveryOptionAndYieldsTheDefaults() throws IOException {
    assertTrue(Files.isRegularFile(EXAMPLE), EXAMPLE.toAbsolutePath() + " exists");
    Result defaults = herald(Map.of(), "config", "--print");
    Result example = herald(Map.of(), "config", "--print", "--config", EXAMPLE.toString());
    assertEquals(0, example.exit(), example.err());
    assertEquals(settings(defaults.out()), settings(example.out()));
    // Every option is in the example, set or (when it has no default) commented out, and
    // explained by the comment line above it.
    List<String> text = Files.readAllLines(EXAMPLE);
    List<String> missing = new ArrayList<>();
    for (String line : settings(defaults.out()).stream().map(l -> l.substring(0, l.indexOf(" ="))).collect(Collectors.toList())) {
      int at = text.indexOf(line + " = " + settings(defaults.out()).stream()
          .filter(l -> l.startsWith(line + " = ")).findFirst().orElseThrow().substring(line.length() + 3));
      if (at < 1 || !text.get(at - 1).startsWith("# ")) {
        missing.add(line);
      }
    }
    assertTrue(missing.isEmpty(), "settings without a default line and explanation: " + missing);
    for (String unset : List.of("tls-cert", "tls-key")) {
      assertTrue(text.stream().anyMatch(l -> l.startsWith("# " + unset + " = ")), unset);
    }
  }

  @Test
  void anInvalidSettingRefusesToStartAndNamesIt() throws IOException {
    Result flag = herald(Map.of(), "--queue-events", "1");
    assertEquals(2, flag.exit());
    assertTrue(flag.err().contains("--queue-events must be at least 16 (got 1)"), flag.err());

    Result env = herald(Map.of("HERALD_HEARTBEAT", "soon"), "config", "--print");
    assertEquals(2, env.exit());
    assertTrue(env.err().contains("--heartbeat"), env.err());
    assertTrue(env.err().contains("environment variable HERALD_HEARTBEAT"), env.err());

    Path file = Files.writeString(dir.resolve("bad.conf"), "ring-size = 8\n");
    Result fromFile = herald(Map.of(), "--config", file.toString());
    assertEquals(2, fromFile.exit());
    assertTrue(fromFile.err().contains("--ring-size must be at least 64 (got 8)"), fromFile.err());

    Result print = herald(Map.of(), "--admin-port", "70000", "config", "--print");
    assertEquals(2, print.exit());
    assertTrue(print.err().contains("--admin-port must be a port number"), print.err());
    assertEquals("", print.out(), "nothing printed for an invalid configuration");
  }
}
