package io.herald.load.measure;

/**
 * The one time base of a run: microseconds since the process started measuring. The publisher
 * stamps each event with its intended send time on this clock and subscribers read it on
 * receipt, so latency needs no clock synchronisation (both sides are this process).
 */
public final class EventClock {
  private static final long ORIGIN = System.nanoTime();

  private EventClock() {}

  public static long nowMicros() {
    return (System.nanoTime() - ORIGIN) / 1000;
  }

  public static long toNanoTime(long micros) {
    return ORIGIN + micros * 1000;
  }
}
