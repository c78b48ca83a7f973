package io.herald.load.measure;

/**
 * What one subscriber received of its topic's sequence 1, 2, 3, …: Herald delivers in order, so
 * a number above the next expected one is a gap (lost events), and one below it is a duplicate
 * or an event out of order. Constant memory, whatever the run's length.
 */
public final class SequenceCheck {
  private long next = 1;
  private long received;
  private long lost;
  private long outOfOrder;

  public void received(long sequence) {
    received++;
    if (sequence == next) {
      next++;
    } else if (sequence > next) {
      lost += sequence - next;
      next = sequence + 1;
    } else {
      outOfOrder++;
    }
  }

  public long received() {
    return received;
  }

  /** Lost events, once {@code published} events were published to the topic. */
  public long lost(long published) {
    return lost + Math.max(0, published - (next - 1));
  }

  public long outOfOrder() {
    return outOfOrder;
  }
}
