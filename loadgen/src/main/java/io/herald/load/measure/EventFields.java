package io.herald.load.measure;

/**
 * Reads the two numbers the load generator put in each event's data — {@code "s":} (the topic
 * sequence) and {@code "t":} (the intended send time in {@link EventClock} micros) — straight
 * from the bytes, without a JSON parser on the receive path.
 */
public final class EventFields {
  private EventFields() {}

  /** The number after {@code "<key>":}, or -1 when absent. */
  public static long number(byte[] data, int length, char key) {
    for (int i = 0; i + 3 < length; i++) {
      if (data[i] == '"' && data[i + 1] == key && data[i + 2] == '"' && data[i + 3] == ':') {
        long value = 0;
        int j = i + 4;
        boolean digits = false;
        while (j < length && data[j] >= '0' && data[j] <= '9') {
          value = value * 10 + (data[j] - '0');
          j++;
          digits = true;
        }
        return digits ? value : -1;
      }
    }
    return -1;
  }
}
