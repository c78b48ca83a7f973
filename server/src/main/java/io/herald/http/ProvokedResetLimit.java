package io.herald.http;

import io.netty.handler.codec.http2.Http2Error;

/**
 * How many stream resets a client may provoke Herald into sending per window (CVE-2025-55163,
 * "MadeYouReset": frames crafted so that the server resets streams whose work goes on).
 *
 * <p>Netty's own limit ({@code encoderEnforceMaxRstFramesPerWindow}) closes the connection the
 * moment it trips, often in the middle of a flush, so the GOAWAY saying why is lost; Herald
 * counts here instead and ends the connection like any other connection error: GOAWAY
 * ENHANCE_YOUR_CALM, then a short linger. Resets Herald decides on itself (CANCEL for a slow
 * stream, NO_ERROR) do not count, as in Netty's limit.
 */
final class ProvokedResetLimit {
  private final int maxPerWindow;
  private final long windowNanos;
  private long windowStart;
  private int count;

  ProvokedResetLimit(int maxPerWindow, long windowNanos) {
    this.maxPerWindow = maxPerWindow;
    this.windowNanos = windowNanos;
  }

  /** Counts one reset with {@code errorCode}; true once the window holds more than allowed. */
  boolean exceededBy(long errorCode, long nowNanos) {
    if (errorCode == Http2Error.CANCEL.code() || errorCode == Http2Error.NO_ERROR.code()) {
      return false;
    }
    if (count == 0 || nowNanos - windowStart >= windowNanos) {
      windowStart = nowNanos;
      count = 0;
    }
    return ++count > maxPerWindow;
  }
}
