package io.herald.http;

import io.netty.channel.Channel;

/**
 * One flush per event-loop turn for a connection that carries many streams.
 *
 * <p>The dispatcher flushes every subscriber it wrote to once per batch; over HTTP/1.1 a
 * subscriber is a connection, but over HTTP/2 a thousand subscribers can share one connection,
 * and a flush each would be a thousand passes over the flow controller, all but the first
 * finding nothing left to write. Requests made during a batch are folded into one flush that
 * runs on the connection's event loop right after it.
 */
final class CoalescedFlush implements Runnable {
  private final Channel channel;
  private boolean pending;

  CoalescedFlush(Channel channel) {
    this.channel = channel;
  }

  /** Flushes the connection soon, once however often this is called before then. Loop only. */
  void request() {
    if (!pending) {
      pending = true;
      channel.eventLoop().execute(this);
    }
  }

  @Override
  public void run() {
    pending = false;
    // Through the pipeline, so the HTTP/2 handler writes what its flow controller holds.
    channel.flush();
  }
}
