package io.herald.load.client;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntToLongFunction;

/**
 * {@code --storm}: a reconnect storm. At one moment every open stream closes its connection; the
 * streams stay away while publishing goes on, so the id each last received falls behind by
 * rate × away events; then all of them reopen at the same moment with that {@code
 * Last-Event-ID}, and the server must replay what they missed (the sequence check sees any gap
 * or duplicate the replay leaves).
 *
 * <p>Times how long the storm lasts for its streams: from the reopen until the last stormed
 * stream has received everything published to its topic up to the reopen (its replay is done
 * and it is live again). Each event loop handles its own streams in one task per step — leave,
 * reopen, and a check every {@link #CHECK_MILLIS} ms of which streams have caught up — so the
 * receive path is untouched and the all-back time is known to within that interval.
 */
public final class Storm {
  /** How often each event loop looks at which of its reopened streams have caught up. */
  static final long CHECK_MILLIS = 5;

  private final long closeAtNanos;
  private final long reopenAtNanos;
  private long stormed; // guarded by this
  private long behind; // guarded by this: stormed and not caught up yet
  private long lastBackNanos; // guarded by this

  /**
   * @param closeAtNanos when every stream closes ({@link System#nanoTime()})
   * @param awayNanos how long they stay away before all reopen at once
   */
  public Storm(long closeAtNanos, long awayNanos) {
    if (awayNanos < 0) {
      throw new IllegalArgumentException("awayNanos: " + awayNanos + " (expected 0 or more)");
    }
    this.closeAtNanos = closeAtNanos;
    this.reopenAtNanos = closeAtNanos + awayNanos;
  }

  /**
   * Schedules the storm on the streams' event loops: one task per loop to close its streams,
   * one to reopen them, then the catch-up checks. {@code publishedTo} gives, for stream {@code
   * i}, how many events have been published to its topic so far (read at the reopen: what the
   * stream must have received to be back).
   */
  public void start(AtomicReferenceArray<StreamCheck> checks, IntToLongFunction publishedTo, Streams streams) {
    Map<EventLoop, List<Integer>> byLoop = new IdentityHashMap<>();
    for (int i = 0; i < checks.length(); i++) {
      StreamCheck check = checks.get(i);
      if (check != null) {
        byLoop.computeIfAbsent(check.loop(), k -> new ArrayList<>()).add(i);
      }
    }
    byLoop.forEach(
        (loop, mine) ->
            loop.schedule(() -> leave(loop, checks, mine, publishedTo, streams), delay(closeAtNanos), TimeUnit.NANOSECONDS));
  }

  private void leave(
      EventLoop loop, AtomicReferenceArray<StreamCheck> checks, List<Integer> mine, IntToLongFunction publishedTo,
      Streams streams) {
    List<Integer> away = new ArrayList<>(mine.size());
    for (int i : mine) {
      if (checks.get(i).leave()) {
        away.add(i);
      }
    }
    left(away.size());
    loop.schedule(() -> reopen(loop, checks, away, publishedTo, streams), delay(reopenAtNanos), TimeUnit.NANOSECONDS);
  }

  private void reopen(
      EventLoop loop, AtomicReferenceArray<StreamCheck> checks, List<Integer> away, IntToLongFunction publishedTo,
      Streams streams) {
    List<StreamCheck> pending = new ArrayList<>(away.size());
    List<Long> targets = new ArrayList<>(away.size());
    for (int i : away) {
      StreamCheck check = checks.get(i);
      // A plain read of the publisher's count from this loop: a stale value only makes the target
      // smaller (the count only grows), so the all-back time can come out short by the events
      // published in that staleness, never long.
      targets.add(publishedTo.applyAsLong(i));
      pending.add(check);
      check.comeBack();
    }
    ScheduledFuture<?>[] checking = new ScheduledFuture<?>[1];
    checking[0] =
        loop.scheduleWithFixedDelay(
            () -> {
              long now = System.nanoTime();
              for (int k = pending.size() - 1; k >= 0; k--) {
                if (pending.get(k).sequence().highest() >= targets.get(k)) {
                  caughtUp(now);
                  // order does not matter: swap the last in
                  int last = pending.size() - 1;
                  pending.set(k, pending.get(last));
                  targets.set(k, targets.get(last));
                  pending.remove(last);
                  targets.remove(last);
                }
              }
              if (pending.isEmpty() || !streams.measuring()) {
                checking[0].cancel(false);
              }
            },
            0,
            CHECK_MILLIS,
            TimeUnit.MILLISECONDS);
  }

  private static long delay(long atNanos) {
    return Math.max(0, atNanos - System.nanoTime());
  }

  /** {@code count} streams closed for the storm. */
  synchronized void left(long count) {
    stormed += count;
    behind += count;
  }

  /** A stormed stream has everything published up to the reopen, at {@code nowNanos}. */
  synchronized void caughtUp(long nowNanos) {
    behind--;
    lastBackNanos = Math.max(lastBackNanos, nowNanos);
  }

  /** Streams that closed for the storm. */
  public synchronized long stormed() {
    return stormed;
  }

  /** Stormed streams that have not caught up yet. */
  public synchronized long behind() {
    return behind;
  }

  /**
   * Milliseconds from the reopen until the last stormed stream had caught up; -1 while some are
   * behind or none stormed.
   */
  public synchronized long allBackMillis() {
    if (stormed == 0 || behind > 0) {
      return -1;
    }
    return Math.max(0, lastBackNanos - reopenAtNanos) / 1_000_000;
  }

  /** How long the streams stayed away. */
  public long awayMillis() {
    return (reopenAtNanos - closeAtNanos) / 1_000_000;
  }
}
