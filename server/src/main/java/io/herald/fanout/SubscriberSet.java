package io.herald.fanout;

import io.herald.sse.Subscriber;
import java.util.Arrays;

/**
 * A set of subscribers on one event loop — those of one topic, or all of them — kept as an array
 * that iterates fast and removes in O(1) by moving the last element into the hole. Each
 * subscriber remembers its slot in every set it is in ({@link Subscriber#slot}).
 *
 * <p>Not thread-safe: owned by its dispatcher's event loop.
 */
final class SubscriberSet {
  private final String topic;
  private Subscriber[] items = new Subscriber[4];
  private int size;

  /** @param topic the topic whose subscribers this holds, or {@code null} for all of them */
  SubscriberSet(String topic) {
    this.topic = topic;
  }

  void add(Subscriber subscriber) {
    if (size == items.length) {
      items = Arrays.copyOf(items, size * 2);
    }
    items[size] = subscriber;
    subscriber.slot(slotIndex(subscriber), size);
    size++;
  }

  void remove(Subscriber subscriber) {
    int slot = subscriber.slot(slotIndex(subscriber));
    if (slot >= size || items[slot] != subscriber) {
      return;
    }
    size--;
    Subscriber last = items[size];
    items[size] = null;
    if (slot != size) {
      items[slot] = last;
      last.slot(slotIndex(last), slot);
    }
    if (items.length > 16 && size < items.length / 4) {
      items = Arrays.copyOf(items, items.length / 2);
    }
  }

  /** Which of the subscriber's slots belongs to this set: one per topic, the last for "all". */
  private int slotIndex(Subscriber subscriber) {
    String[] topics = subscriber.topics();
    if (topic == null) {
      return topics.length;
    }
    for (int i = 0; i < topics.length; i++) {
      if (topics[i].equals(topic)) {
        return i;
      }
    }
    throw new IllegalArgumentException("subscriber does not read topic " + topic);
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  Subscriber get(int i) {
    return items[i];
  }
}
