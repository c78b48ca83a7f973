package io.herald.sse;

/**
 * Why a subscription ended (or, for {@link #HEADER_TIMEOUT}, a connection that never carried a
 * request); counted in {@code /stats} and {@code /metrics} so operators can tell load from faults.
 */
public enum DisconnectReason {
  /** The client closed the connection or the stream. */
  CLIENT_GONE("client-gone"),
  /** The client's outbound queue was full: it reads slower than events arrive. */
  SLOW_CONSUMER("slow-consumer"),
  /** The socket stayed unwritable longer than the configured limit. */
  STALLED("stalled"),
  /** Its event loop fell a whole ring behind the publishers; every stream on it resumes. */
  LAPPED("lapped"),
  /** Events it still had to replay left the history before it read them. */
  REPLAY_OVERRUN("replay-overrun"),
  /** A connection limit was reached; the client was asked to retry later. */
  LIMIT("limit"),
  /** The token the stream was opened with expired; the client reconnects with a fresh one. */
  TOKEN_EXPIRED("token-expired"),
  /** The server is stopping; the client was asked to retry later. */
  SHUTDOWN("shutdown"),
  /**
   * A connection closed by {@code --header-timeout}: no complete request head in time on
   * HTTP/1.1 (Slowloris, or an idle keep-alive), or no stream opened in time on HTTP/2.
   */
  HEADER_TIMEOUT("header-timeout");

  private final String label;

  DisconnectReason(String label) {
    this.label = label;
  }

  /** The name used in stats and logs. */
  public String label() {
    return label;
  }
}
