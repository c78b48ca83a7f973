package io.herald.load.client;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.internal.ObjectUtil;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Wraps an event loop's {@link IoHandler} so that a wake-up that found only a little to read is
 * followed by a short pause ({@code --receive-pause}) before the loop looks again: the reads that
 * arrive meanwhile are then handled in one batch, after one wake-up, instead of one wake-up each.
 *
 * <p>Why: a server fanning an event out writes its streams one after another, so without a pause
 * the tool's loop wakes for every socket or two as the writes trickle in. A wake-up (a sleeping
 * thread scheduled again, in a VM an exit to the hypervisor) costs several times the read it
 * serves; at 10,000 streams and 10 events/s it is most of the tool's CPU per delivery. The price is
 * that an event read after a pause is timed up to one pause late: the latencies the tool measures
 * are longer by at most the pause (and only when the loop was idle, not under load).
 *
 * <p>No pause when the loop has tasks waiting or handled many events in the wake-up (it is busy,
 * and batching happens by itself); a task submitted during a pause ends it at once.
 */
final class PacedIoHandler implements IoHandler {
  /** A wake-up that handled fewer I/O events than this was a trickle: pause after it. */
  static final int FEW = 64;

  /** Wake-ups and events handled by all paced loops: how well the pause batches. */
  static final LongAdder WAKEUPS = new LongAdder();
  static final LongAdder EVENTS = new LongAdder();

  private final IoHandler delegate;
  private final long pauseNanos;
  private volatile Thread thread;

  private PacedIoHandler(IoHandler delegate, long pauseNanos) {
    this.delegate = delegate;
    this.pauseNanos = pauseNanos;
  }

  /** {@code factory}'s handlers, paced by {@code pauseNanos} (0: counted, never paused). */
  static IoHandlerFactory factory(IoHandlerFactory factory, long pauseNanos) {
    ObjectUtil.checkPositiveOrZero(pauseNanos, "pauseNanos");
    return executor -> new PacedIoHandler(factory.newHandler(executor), pauseNanos);
  }

  /** I/O events handled per wake-up that found any, over all loops so far. */
  static double eventsPerWakeup() {
    long wakeups = WAKEUPS.sum();
    return wakeups == 0 ? 0 : (double) EVENTS.sum() / wakeups;
  }

  @Override
  public void initialize() {
    delegate.initialize();
  }

  @Override
  public int run(IoHandlerContext context) {
    if (thread == null) {
      thread = Thread.currentThread(); // the loop's own thread: the one wakeup() must unpark
    }
    int handled = delegate.run(context);
    if (handled > 0) {
      WAKEUPS.increment();
      EVENTS.add(handled);
      if (pauseNanos > 0 && handled < FEW && context.canBlock()) {
        LockSupport.parkNanos(this, pauseNanos); // ended early by wakeup(): a task is waiting
      }
    }
    return handled;
  }

  @Override
  public void prepareToDestroy() {
    delegate.prepareToDestroy();
  }

  @Override
  public void destroy() {
    delegate.destroy();
  }

  @Override
  public IoRegistration register(IoHandle handle) throws Exception {
    return delegate.register(handle);
  }

  @Override
  public void wakeup() {
    delegate.wakeup();
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  @Override
  public boolean isCompatible(Class<? extends IoHandle> handleType) {
    return delegate.isCompatible(handleType);
  }
}
