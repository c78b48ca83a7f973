package io.herald.sse;

/**
 * The protocol side of one subscription: how bytes reach one client. HTTP/1.1 writes chunks on
 * its connection; HTTP/2 writes DATA frames on its stream. Everything about <em>what</em> the
 * client receives lives in {@link Subscriber}; an implementation only frames and writes.
 *
 * <p>All methods are called on the event loop that owns the stream.
 */
public interface EventStream {
  /** Writes one shared, pre-encoded event without flushing. */
  void writeEvent(SseEvent event);

  /** Writes event-stream text that is not a published event (retry, comments, reset). */
  void writeText(String text);

  void flush();

  /** Whether the transport will take more without queueing past its high-water mark. */
  boolean isWritable();

  /** Bytes written to this stream and not yet handed to the kernel. */
  long queuedBytes();

  /** Writes not yet handed to the kernel, events or otherwise. */
  int queuedWrites();

  /** Writes {@code text}, ends the response properly, and closes once it is on the wire. */
  void end(String text);

  /** Closes at once, with no further bytes (the client is gone or is too slow to wait for). */
  void abort();

  /** Whether this stream shares its connection with others (HTTP/2), for the metrics. */
  default boolean isMultiplexed() {
    return false;
  }
}
