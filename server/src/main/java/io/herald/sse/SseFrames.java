package io.herald.sse;

import io.herald.history.EventId;

/** Event-stream texts that are not published events: the opening, heartbeats, retry, reset. */
public final class SseFrames {
  /** A comment: keeps proxies from timing the stream out, and is ignored by every client. */
  public static final String HEARTBEAT = ": ping\n\n";

  private SseFrames() {}

  /**
   * The first bytes of every stream: the reconnection delay, and a comment, so that clients and
   * proxies that show nothing until body bytes arrive see the stream open at once.
   *
   * @param paddingBytes size of an extra comment for proxies that buffer small responses (0: none)
   */
  public static String opening(long retryMillis, int paddingBytes) {
    StringBuilder text = new StringBuilder(32 + paddingBytes);
    text.append("retry: ").append(retryMillis).append("\n: herald\n\n");
    if (paddingBytes > 0) {
      text.append(':');
      text.append(" ".repeat(Math.max(0, paddingBytes - 3)));
      text.append("\n\n");
    }
    return text.toString();
  }

  /** Sets the client's reconnection delay; sent before Herald closes a stream on purpose. */
  public static String retry(long retryMillis) {
    return "retry: " + retryMillis + "\n\n";
  }

  /**
   * Tells a client that its {@code Last-Event-ID} cannot be resumed from: events it missed are
   * gone (or the id was never Herald's), so it should reload its state. The standard has no such
   * signal, and {@code EventSource} cannot read headers, so it is an event. It has no {@code id}
   * field, so the client's last id stays as it was until the next real event.
   */
  public static String reset(EventId earliest) {
    String earliestJson = earliest == null ? "null" : "\"" + earliest + "\"";
    return "event: reset\ndata: {\"reason\":\"history-truncated\",\"earliest\":"
        + earliestJson
        + "}\n\n";
  }
}
