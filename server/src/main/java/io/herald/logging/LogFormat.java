package io.herald.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * {@code --log-format}: how Herald's log lines look. {@code text} is the pattern of
 * {@code logback.xml} (one human-readable line per event); {@code json} swaps the encoder of
 * every console appender for {@link JsonLogEncoder}, one JSON object per line. Logback reads its
 * file before the options are known, so the switch happens here, once, before the server starts.
 */
public enum LogFormat {
  TEXT,
  JSON;

  /** {@code text} or {@code json} (any case); null for anything else. */
  public static LogFormat parse(String value) {
    if (value == null) {
      return null;
    }
    for (LogFormat format : values()) {
      if (format.name().equalsIgnoreCase(value.trim())) {
        return format;
      }
    }
    return null;
  }

  /** The name as the option takes it. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Makes every appender on the root logger write this format (a no-op without Logback). */
  public void apply() {
    if (this == TEXT) {
      return; // logback.xml's pattern
    }
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
        JsonLogEncoder encoder = new JsonLogEncoder();
        encoder.setContext(context);
        encoder.start();
        appender.stop();
        appender.setEncoder(encoder);
        appender.start();
      }
    }
  }
}
