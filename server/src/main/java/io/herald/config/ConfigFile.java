package io.herald.config;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Herald's config file: one {@code name = value} per line, where the name is a long option
 * without its dashes ({@code http-port = 8080}); {@code #} starts a comment line; blank lines are
 * ignored. Everything after the first {@code =} is the value (so base64 secrets keep their
 * padding). A malformed line or a name given twice stops the start with the file and line.
 */
public final class ConfigFile {
  private final Path path;
  private final Map<String, String> values;
  private final Map<String, Integer> lines;

  private ConfigFile(Path path, Map<String, String> values, Map<String, Integer> lines) {
    this.path = path;
    this.values = Collections.unmodifiableMap(values);
    this.lines = lines;
  }

  public static ConfigFile load(Path path) {
    List<String> text;
    try {
      text = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (MalformedInputException e) {
      throw new ConfigException("config file " + path + " is not UTF-8 text");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + path + ": " + e.getMessage());
    }
    return parse(path, text);
  }

  static ConfigFile parse(Path path, List<String> text) {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, Integer> lines = new LinkedHashMap<>();
    for (int i = 0; i < text.size(); i++) {
      String line = text.get(i).strip();
      int number = i + 1;
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(
            path + " line " + number + ": expected 'name = value', got '" + line + "'");
      }
      String name = line.substring(0, eq).strip();
      String value = line.substring(eq + 1).strip();
      if (name.startsWith("-")) {
        throw new ConfigException(
            path + " line " + number + ": write the name without dashes ('" + name.replaceFirst("^-+", "") + " = …')");
      }
      if (values.containsKey(name)) {
        throw new ConfigException(
            path + " line " + number + ": '" + name + "' is already set on line " + lines.get(name));
      }
      values.put(name, value);
      lines.put(name, number);
    }
    return new ConfigFile(path, values, lines);
  }

  /**
   * Finds the config file before picocli parses: it applies defaults first, so {@code --config}
   * has to be known beforehand. {@code --config FILE}, {@code --config=FILE}, else {@code
   * HERALD_CONFIG}.
   */
  public static Optional<Path> locate(String[] args, Map<String, String> env) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config")) {
        if (i + 1 >= args.length) {
          throw new ConfigException("--config needs a file name");
        }
        return Optional.of(Path.of(args[i + 1]));
      }
      if (args[i].startsWith("--config=")) {
        return Optional.of(Path.of(args[i].substring("--config=".length())));
      }
      if (args[i].equals("--")) {
        break;
      }
    }
    String fromEnv = env.get("HERALD_CONFIG");
    return fromEnv == null || fromEnv.isBlank() ? Optional.empty() : Optional.of(Path.of(fromEnv));
  }

  public Optional<String> value(String name) {
    return Optional.ofNullable(values.get(name));
  }

  public Set<String> names() {
    return values.keySet();
  }

  public int lineOf(String name) {
    return lines.getOrDefault(name, -1);
  }

  public Path path() {
    return path;
  }
}
