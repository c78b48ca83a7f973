package io.herald.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option's value comes from when it is not on the command line: the environment
 * ({@code --http-port} → {@code HERALD_HTTP_PORT}), then the config file ({@code http-port}),
 * then the option's own default. Going through picocli's default-value provider keeps one
 * source of truth for option names, types and conversion.
 */
public final class HeraldDefaults implements CommandLine.IDefaultValueProvider {
  private final Map<String, String> env;
  private final ConfigFile file;

  /** @param file the config file, or null for none */
  public HeraldDefaults(Map<String, String> env, ConfigFile file) {
    this.env = env;
    this.file = file;
  }

  /** {@code --http-port} → {@code HERALD_HTTP_PORT}. */
  public static String environmentName(String longOption) {
    return "HERALD_" + longOption.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || !option.longestName().startsWith("--")) {
      return null;
    }
    if (option.command() != null && option.command().parent() != null) {
      return null; // subcommands have their own options and defaults
    }
    String name = option.longestName();
    String fromEnv = env.get(environmentName(name));
    if (fromEnv != null) {
      return checkBoolean(option, fromEnv, "environment variable " + environmentName(name));
    }
    if (file != null) {
      String key = name.substring(2);
      String fromFile = file.value(key).orElse(null);
      if (fromFile != null) {
        return checkBoolean(option, fromFile, file.path() + " line " + file.lineOf(key));
      }
    }
    return null;
  }

  private static String checkBoolean(OptionSpec option, String value, String origin) {
    Class<?> type = option.type();
    if ((type == boolean.class || type == Boolean.class)
        && !value.equals("true")
        && !value.equals("false")) {
      throw new ConfigException(
          origin + ": " + option.longestName() + " must be true or false, got '" + value + "'");
    }
    return value;
  }

  /** Where the value of {@code option} comes from, for messages that name it. */
  public String origin(OptionSpec option) {
    String name = option.longestName();
    if (env.containsKey(environmentName(name))) {
      return "environment variable " + environmentName(name);
    }
    if (file != null && file.value(name.substring(2)).isPresent()) {
      return file.path() + " line " + file.lineOf(name.substring(2));
    }
    return "default";
  }

  /**
   * Refuses a config file that names an option the command does not have, and a boolean flag
   * declared without {@code fallbackValue = "true"} (picocli would set such a flag to the opposite
   * of its default, so {@code --flag} would turn off a {@code true} from the environment).
   */
  public void checkKnown(CommandSpec spec) {
    for (OptionSpec option : spec.options()) {
      boolean flag = option.type() == boolean.class || option.type() == Boolean.class;
      if (flag && option.arity().max() == 0 && !"true".equals(option.fallbackValue())
          && !option.usageHelp() && !option.versionHelp()) {
        throw new IllegalStateException(
            option.longestName() + " must be declared with fallbackValue = \"true\"");
      }
    }
    checkEnvironment(spec);
    if (file == null) {
      return;
    }
    List<String> known = new ArrayList<>();
    for (OptionSpec option : spec.options()) {
      if (option.longestName().startsWith("--")) {
        known.add(option.longestName().substring(2));
      }
    }
    for (String name : file.names()) {
      if (!known.contains(name) || name.equals("config") || name.equals("help") || name.equals("version")) {
        String hint = closest(name, known);
        throw new ConfigException(
            "unknown setting '" + name + "' in " + file.path() + " line " + file.lineOf(name)
                + (hint == null ? "" : " (did you mean '" + hint + "'?)"));
      }
    }
  }

  /** Variables of Herald's own scripts and launcher, not settings. */
  private static final java.util.regex.Pattern LAUNCHER_VARIABLE =
      java.util.regex.Pattern.compile("HERALD_(JAVA_OPTS|JAR|HOME|(LOAD|BENCH|INSTALL|CLUSTER)_[A-Z0-9_]*)");

  /**
   * Refuses a {@code HERALD_*} variable that names no setting: a misspelt {@code
   * HERALD_JWT_SECRT} would otherwise leave Herald running without the setting it was meant to
   * have.
   */
  private void checkEnvironment(CommandSpec spec) {
    List<String> known = new ArrayList<>();
    for (OptionSpec option : spec.options()) {
      if (option.longestName().startsWith("--") && !option.usageHelp() && !option.versionHelp()) {
        known.add(environmentName(option.longestName()));
      }
    }
    for (String variable : new java.util.TreeSet<>(env.keySet())) {
      if (variable.startsWith("HERALD_")
          && !known.contains(variable)
          && !LAUNCHER_VARIABLE.matcher(variable).matches()) {
        String hint = closest(variable, known);
        throw new ConfigException(
            "unknown environment variable " + variable + " (no such setting"
                + (hint == null ? ")" : "; did you mean " + hint + "?)"));
      }
    }
  }

  private static String closest(String name, List<String> known) {
    String best = null;
    int bestDistance = 3;
    for (String candidate : known) {
      int d = distance(name, candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return best;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
