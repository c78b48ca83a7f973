package io.herald.ingest;

/**
 * One line read from an ingest connection, numbered from 1, or the reason it cannot be used.
 *
 * @param number the 1-based line number on its connection (blank lines count too)
 * @param text the line, UTF-8 decoded, without its line end; for a refused line at most its first
 *     bytes (or null), kept only so the HTTP guard can recognise a request line — never published
 * @param problem why the line was refused before parsing (too long, not UTF-8), or null
 */
public record IngestLine(long number, String text, String problem) {
  public static IngestLine of(long number, String text) {
    return new IngestLine(number, text, null);
  }

  public static IngestLine refused(long number, String problem) {
    return new IngestLine(number, null, problem);
  }

  public static IngestLine refused(long number, String problem, String head) {
    return new IngestLine(number, head, problem);
  }
}
