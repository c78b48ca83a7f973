package io.herald.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The demo page served at {@code GET /} and {@code /demo} with {@code --demo}: one
 * self-contained HTML file ({@code herald-demo.html} beside this class, no external scripts)
 * that subscribes with {@code EventSource}, shows each event with its id and the connection's
 * state, and publishes through {@code POST /publish}. Read once, when first served.
 */
final class DemoPage {
  static final String CONTENT_TYPE = "text/html; charset=utf-8";

  private DemoPage() {}

  static String html() {
    return Holder.HTML;
  }

  private static final class Holder {
    static final String HTML = load();

    private static String load() {
      try (InputStream in = DemoPage.class.getResourceAsStream("herald-demo.html")) {
        if (in == null) {
          throw new IllegalStateException("herald-demo.html is missing from the jar");
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
