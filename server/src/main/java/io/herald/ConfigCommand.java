package io.herald;

import io.herald.config.Durations;
import io.herald.config.SizeConverter;
import io.herald.config.Sizes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code herald [OPTIONS] config --print}: the configuration the server would run with, resolved
 * the same way (flags, then {@code HERALD_*} variables, then the config file, then defaults) and
 * validated the same way, printed as a config file. Secrets are masked, so the output can be
 * pasted into a ticket.
 */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Print the configuration the server would run with, as a config file (name = value).",
      "Server options go before the subcommand: herald --http-port 80 config --print.",
      "Values of secret settings (jwt-secret, publish-key, anything named *-secret or *-password)"
          + " print as ********."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:printed", "2:the configuration is invalid (the message names the setting)"})
public final class ConfigCommand implements Callable<Integer> {
  static final String MASK = "********";

  @ParentCommand Herald herald;

  @Spec CommandSpec spec;

  @Option(names = "--print", required = true, description = "Print every setting with its resolved value.")
  boolean print;

  // The file itself is found before parsing (see Herald.run); the option is here so that
  // `herald config --print --config FILE` reads as it does for the server.
  @Option(names = "--config", paramLabel = "FILE", description = "Config file, as for the server (or HERALD_CONFIG).")
  Path configFile;

  @Override
  public Integer call() {
    herald.config(); // the server's own validation: a refusal names the setting, exit 2
    PrintWriter out = spec.commandLine().getOut();
    CommandSpec server = spec.parent();
    out.println("# herald configuration: flags, then HERALD_* environment, then config file, then defaults");
    for (OptionSpec option : server.options()) {
      String name = option.longestName();
      if (option.usageHelp() || option.versionHelp() || name.equals("--config")) {
        continue;
      }
      String key = name.substring(2);
      String origin = origin(server, option);
      if (!origin.equals("default")) {
        out.println("# " + key + ": from " + origin);
      }
      Object value = option.getValue();
      if (value == null) {
        out.println("# " + key + " =");
      } else {
        out.println(key + " = " + (isSecret(key) ? MASK : format(option, value)));
      }
    }
    out.flush();
    return 0;
  }

  /** Whether a setting's value must never be printed. */
  static boolean isSecret(String name) {
    // By what the value is, not by a word in the name: tls-key and jwt-public-key are paths,
    // allow-query-token is a switch.
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    return lower.equals("jwt-secret")
        || lower.equals("publish-key")
        || lower.endsWith("-secret")
        || lower.endsWith("-password");
  }

  private String origin(CommandSpec server, OptionSpec option) {
    if (server.commandLine().getParseResult() != null
        && server.commandLine().getParseResult().hasMatchedOption(option)) {
      return "command line";
    }
    return herald.defaults == null ? "default" : herald.defaults.origin(option);
  }

  /** The value in the form the config file takes: 25s, 1MiB, plain numbers and text. */
  private static String format(OptionSpec option, Object value) {
    if (value instanceof java.util.List<?> list) {
      return list.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
    }
    if (value instanceof Duration duration) {
      return Durations.format(duration);
    }
    boolean size = Arrays.stream(option.converters()).anyMatch(c -> c instanceof SizeConverter);
    if (size && value instanceof Long bytes) {
      return Sizes.format(bytes);
    }
    return String.valueOf(value);
  }
}
