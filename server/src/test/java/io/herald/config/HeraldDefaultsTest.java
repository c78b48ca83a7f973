package io.herald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class HeraldDefaultsTest {
  @TempDir Path dir;

  @Command(name = "test")
  static final class Options {
    @Option(names = "--http-port", defaultValue = "8080")
    int httpPort;

    @Option(names = "--heartbeat", defaultValue = "25s", converter = DurationConverter.class)
    Duration heartbeat;

    @Option(names = "--allow-http-publish", fallbackValue = "true")
    boolean allowHttpPublish;

    @Option(names = "--jwt-secret")
    String secret;
  }

  private Path file(String text) throws IOException {
    Path path = dir.resolve("herald.conf");
    Files.writeString(path, text);
    return path;
  }

  private static Options parse(Map<String, String> env, ConfigFile file, String... args) {
    Options options = new Options();
    CommandLine cli = new CommandLine(options);
    HeraldDefaults defaults = new HeraldDefaults(env, file);
    defaults.checkKnown(cli.getCommandSpec());
    cli.setDefaultValueProvider(defaults);
    cli.parseArgs(args);
    return options;
  }

  @Test
  void flagBeatsEnvironmentWhichBeatsFileWhichBeatsDefault() throws IOException {
    ConfigFile file = ConfigFile.load(file("http-port = 1000\nheartbeat = 5s\n"));
    Options fromFile = parse(Map.of(), file);
    assertEquals(1000, fromFile.httpPort);
    assertEquals(Duration.ofSeconds(5), fromFile.heartbeat);
    Options fromEnv = parse(Map.of("HERALD_HTTP_PORT", "2000"), file);
    assertEquals(2000, fromEnv.httpPort);
    Options fromFlag = parse(Map.of("HERALD_HTTP_PORT", "2000"), file, "--http-port", "3000");
    assertEquals(3000, fromFlag.httpPort);
    Options defaults = parse(Map.of(), null);
    assertEquals(8080, defaults.httpPort);
    assertEquals(Duration.ofSeconds(25), defaults.heartbeat);
  }

  @Test
  void booleanFlagsReadTrueOrFalseAndNothingElse() throws IOException {
    assertTrue(parse(Map.of("HERALD_ALLOW_HTTP_PUBLISH", "true"), null).allowHttpPublish);
    assertFalse(parse(Map.of(), ConfigFile.load(file("allow-http-publish = false"))).allowHttpPublish);
    // picocli wraps what a default provider throws; Herald's handler prints the cause's message.
    Throwable e =
        assertThrows(
                CommandLine.ParameterException.class,
                () -> parse(Map.of("HERALD_ALLOW_HTTP_PUBLISH", "yes"), null))
            .getCause();
    assertTrue(e instanceof ConfigException);
    assertEquals(
        "environment variable HERALD_ALLOW_HTTP_PUBLISH: --allow-http-publish must be true or false, got 'yes'",
        e.getMessage());
  }

  @Test
  void aFlagOnTheCommandLineMeansTrueEvenWhenTheEnvironmentSaysTrue() {
    assertTrue(parse(Map.of("HERALD_ALLOW_HTTP_PUBLISH", "true"), null, "--allow-http-publish").allowHttpPublish);
    assertTrue(parse(Map.of(), null, "--allow-http-publish").allowHttpPublish);
  }

  @Command(name = "bad")
  static final class FlagWithoutFallback {
    @Option(names = "--switch")
    boolean on;
  }

  @Test
  void aBooleanFlagWithoutFallbackValueIsRefusedAtStart() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> new HeraldDefaults(Map.of(), null).checkKnown(new CommandLine(new FlagWithoutFallback()).getCommandSpec()));
    assertTrue(e.getMessage().contains("--switch"), e.getMessage());
  }

  @Test
  void aMisspeltHeraldVariableIsRefusedWithTheClosestSetting() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> parse(Map.of("HERALD_JWT_SECRT", "x"), null));
    assertEquals(
        "unknown environment variable HERALD_JWT_SECRT (no such setting; did you mean HERALD_JWT_SECRET?)",
        e.getMessage());
    assertThrows(ConfigException.class, () -> parse(Map.of("HERALD_NOTHING_LIKE_IT", "1"), null));
  }

  @Test
  void theScriptsOwnVariablesAndOtherProgramsVariablesAreLeftAlone() {
    Map<String, String> env =
        Map.of(
            "HERALD_JAVA_OPTS", "-Xmx1g",
            "HERALD_JAR", "/opt/herald.jar",
            "HERALD_BENCH_WARMUP", "5",
            "HERALD_LOAD_JAVA_OPTS", "-Xmx1g",
            "PATH", "/usr/bin",
            "HERALD_HTTP_PORT", "9000");
    assertEquals(9000, parse(env, null).httpPort);
  }

  @Test
  void fileValuesKeepEverythingAfterTheFirstEquals() throws IOException {
    Options options = parse(Map.of(), ConfigFile.load(file("# secrets\n\njwt-secret = abc==\n")));
    assertEquals("abc==", options.secret);
  }

  @Test
  void unknownSettingInTheFileIsRefusedWithASuggestion() throws IOException {
    Path path = file("# comment\nhtp-port = 1\n");
    ConfigException e =
        assertThrows(ConfigException.class, () -> parse(Map.of(), ConfigFile.load(path)));
    assertEquals(
        "unknown setting 'htp-port' in " + path + " line 2 (did you mean 'http-port'?)",
        e.getMessage());
  }

  @Test
  void malformedAndRepeatedLinesNameTheFileAndLine() throws IOException {
    Path broken = file("http-port 8080\n");
    assertEquals(
        broken + " line 1: expected 'name = value', got 'http-port 8080'",
        assertThrows(ConfigException.class, () -> ConfigFile.load(broken)).getMessage());
    Path twice = file("http-port = 1\n\nhttp-port = 2\n");
    assertEquals(
        twice + " line 3: 'http-port' is already set on line 1",
        assertThrows(ConfigException.class, () -> ConfigFile.load(twice)).getMessage());
    Path dashes = file("--http-port = 1\n");
    assertTrue(
        assertThrows(ConfigException.class, () -> ConfigFile.load(dashes))
            .getMessage()
            .contains("without dashes"));
  }

  @Test
  void missingFileIsAClearError() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigFile.load(dir.resolve("nope.conf")));
    assertTrue(e.getMessage().startsWith("cannot read config file "), e.getMessage());
  }

  @Test
  void configFileIsFoundFromEitherArgumentFormOrTheEnvironment() {
    assertEquals(
        Optional.of(Path.of("a.conf")),
        ConfigFile.locate(new String[] {"--http-port", "1", "--config", "a.conf"}, Map.of()));
    assertEquals(
        Optional.of(Path.of("b.conf")), ConfigFile.locate(new String[] {"--config=b.conf"}, Map.of()));
    assertEquals(
        Optional.of(Path.of("c.conf")),
        ConfigFile.locate(new String[] {}, Map.of("HERALD_CONFIG", "c.conf")));
    assertEquals(Optional.empty(), ConfigFile.locate(new String[] {}, Map.of()));
    assertThrows(ConfigException.class, () -> ConfigFile.locate(new String[] {"--config"}, Map.of()));
  }

  @Test
  void environmentNamesFollowTheOptionNames() {
    assertEquals("HERALD_HTTP_PORT", HeraldDefaults.environmentName("--http-port"));
    assertEquals("HERALD_QUEUE_BYTES", HeraldDefaults.environmentName("--queue-bytes"));
  }
}
