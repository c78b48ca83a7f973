package io.herald.config;

/** A configuration Herald refuses to start with; the message is shown to the user as it is. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
