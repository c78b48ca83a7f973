package io.herald.sse;

/** Why a subscription ended; counted in {@code /stats} so operators can tell load from faults. */
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
  SHUTDOWN("shutdown");

  private final String label;

  DisconnectReason(String label) {
    this.label = label;
  }

  /** The name used in stats and logs. */
  public String label() {
    return label;
  }
}
