package io.herald;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.config.Durations;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/install DEST}: the distribution's layout, its launcher, and a systemd unit that
 * lets the graceful stop finish. The shaded jar is built only at {@code package}, after the
 * tests, so the test installs a jar whose manifest points at the test's own classpath.
 */
class InstallScriptTest {
  /** The repository's root; tests run in server/. */
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @TempDir Path dir;

  private record Run(int exit, String output) {}

  private static Run run(Map<String, String> env, String... command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "finished: " + String.join(" ", command));
    return new Run(process.exitValue(), output);
  }

  /** A runnable jar of this build: Herald's main class, its classpath in the manifest. */
  private Path thinJar() throws IOException {
    List<String> classPath = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      classPath.add(Path.of(entry).toAbsolutePath().toUri().toString());
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Herald.class.getName());
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
    Path jar = dir.resolve("herald-test.jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream ignored = new JarOutputStream(out, manifest)) {
      // the manifest is the whole jar
    }
    return jar;
  }

  @Test
  @Timeout(180)
  void laysOutAJarLauncherConfigAndSystemdUnitAndTheLauncherRuns() throws Exception {
    Path dest = dir.resolve("opt/herald");
    Run install = run(Map.of(), "bash", ROOT.resolve("scripts/install").toString(), "--jar", thinJar().toString(), dest.toString());
    assertEquals(0, install.exit(), install.output());
    assertTrue(install.output().contains("installed herald 0.1.0 in " + dest), install.output());

    assertTrue(Files.isRegularFile(dest.resolve("herald.jar")));
    assertTrue(Files.isExecutable(dest.resolve("bin/herald")));
    assertEquals(
        Files.readString(ROOT.resolve("config/herald.conf")), Files.readString(dest.resolve("config/herald.conf")));

    Run version = run(Map.of("HERALD_JAVA_OPTS", "-Xmx64m"), dest.resolve("bin/herald").toString(), "--version");
    assertEquals(0, version.exit(), version.output());
    assertEquals("herald 0.1.0", version.output().strip());

    // The installed launcher reads the installed config file.
    Path installed = dest.resolve("config/herald.conf");
    Files.writeString(installed, Files.readString(installed).replace("\ndrain-timeout = 10s\n", "\ndrain-timeout = 12s\n"));
    Run print = run(Map.of("HERALD_JAVA_OPTS", "-Xmx64m"), dest.resolve("bin/herald").toString(), "config", "--print");
    assertEquals(0, print.exit(), print.output());
    assertTrue(print.output().contains("\ndrain-timeout = 12s\n"), print.output());

    String unit = Files.readString(dest.resolve("herald.service"));
    assertTrue(unit.contains("\nExecStart=" + dest + "/bin/herald --config " + dest + "/config/herald.conf\n"), unit);
    assertTrue(unit.contains("\nRestart=on-failure\n"), unit);
    assertTrue(unit.contains("\nKillSignal=SIGTERM\n"), unit);
    assertTrue(unit.contains("\nWantedBy=multi-user.target\n"), unit);
    assertTrue(number(unit, "LimitNOFILE=(\\d+)") >= 20_000, unit);
    long stopSeconds = number(unit, "TimeoutStopSec=(\\d+)s");
    Duration drain = Duration.ZERO;
    for (String line : Files.readAllLines(ROOT.resolve("config/herald.conf"))) {
      if (line.startsWith("drain-timeout = ")) {
        drain = Durations.parse(line.substring("drain-timeout = ".length()));
      }
    }
    assertTrue(drain.getSeconds() > 0, "the example sets drain-timeout");
    assertTrue(stopSeconds >= drain.getSeconds() + 5, "TimeoutStopSec leaves the drain time to finish");
    assertSystemdAccepts(dest.resolve("herald.service"));

    // Installing again keeps an operator's edited config and ships the new one beside it.
    Run again = run(Map.of(), "bash", ROOT.resolve("scripts/install").toString(), "--jar", thinJar().toString(), dest.toString());
    assertEquals(0, again.exit(), again.output());
    assertTrue(Files.readString(installed).contains("\ndrain-timeout = 12s\n"));
    assertTrue(Files.isRegularFile(dest.resolve("config/herald.conf.example")));
    // ... and the unit's stop timeout follows the drain-timeout the installation runs with.
    assertEquals(12 + 20, number(Files.readString(dest.resolve("herald.service")), "TimeoutStopSec=(\\d+)s"));
  }

  @Test
  @Timeout(180)
  void theUnitsStopTimeoutOutlastsTheInstalledDrainTimeoutNotTheInstallingShells() throws Exception {
    Path dest = dir.resolve("opt/herald");
    Files.createDirectories(dest.resolve("config"));
    Files.writeString(
        dest.resolve("config/herald.conf"),
        Files.readString(ROOT.resolve("config/herald.conf")).replace("\ndrain-timeout = 10s\n", "\ndrain-timeout = 2m\n"));
    // The service does not see the installing shell's environment, so neither does the install.
    Run install = run(Map.of("HERALD_DRAIN_TIMEOUT", "1s"), "bash", ROOT.resolve("scripts/install").toString(), "--jar", thinJar().toString(), dest.toString());
    assertEquals(0, install.exit(), install.output());
    String unit = Files.readString(dest.resolve("herald.service"));
    assertEquals(120 + 20, number(unit, "TimeoutStopSec=(\\d+)s"), unit);
    assertTrue(unit.contains("drain-timeout (the longest the stop drains streams; 2m in this"), unit);
    assertSystemdAccepts(dest.resolve("herald.service"));
  }

  /** systemd's own check of the unit, where this machine has it: no warning at all. */
  private static void assertSystemdAccepts(Path unit) throws Exception {
    boolean present = false;
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      present |= Files.isExecutable(Path.of(dir, "systemd-analyze"));
    }
    if (!present) {
      return; // checked by the layout assertions only
    }
    Run verify = run(Map.of(), "systemd-analyze", "verify", unit.toString());
    assertEquals(0, verify.exit(), verify.output());
    assertTrue(!verify.output().contains(unit.getFileName().toString()), verify.output());
  }

  @Test
  void refusesAMissingDestinationOrJar() throws Exception {
    Run noDest = run(Map.of(), "bash", ROOT.resolve("scripts/install").toString());
    assertEquals(2, noDest.exit(), noDest.output());
    Run noJar = run(Map.of(), "bash", ROOT.resolve("scripts/install").toString(), "--jar", dir.resolve("none.jar").toString(), dir.resolve("d").toString());
    assertEquals(1, noJar.exit(), noJar.output());
    assertTrue(noJar.output().contains("no such jar"), noJar.output());
  }

  private static long number(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), regex + " in " + text);
    return Long.parseLong(m.group(1));
  }
}
