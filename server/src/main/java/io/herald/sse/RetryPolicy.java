package io.herald.sse;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The reconnection delay Herald asks for when it closes streams on purpose (shutdown, limits):
 * jittered between the configured delay and twice that, so thousands of clients told at once do
 * not all come back in the same millisecond.
 */
public final class RetryPolicy {
  private final long baseMillis;

  public RetryPolicy(long baseMillis) {
    this.baseMillis = Math.max(1, baseMillis);
  }

  public long baseMillis() {
    return baseMillis;
  }

  public long nextMillis() {
    return baseMillis + ThreadLocalRandom.current().nextLong(baseMillis + 1);
  }
}
