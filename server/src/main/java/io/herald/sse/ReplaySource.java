package io.herald.sse;

import io.herald.history.EventId;
import java.util.List;
import java.util.function.Predicate;

/**
 * Where a subscriber finds its start and the events it missed. Implemented by the publishing
 * path, which answers each call under its lock so that "caught up" is exact: every event after
 * the answer reaches the subscriber through its event loop's dispatcher instead.
 */
public interface ReplaySource {
  /** Decides where a new subscription starts, given the client's last event id (or null). */
  Start start(String lastEventId);

  /** Collects the next events for a replaying subscriber, each retained for the caller. */
  Step replay(long from, Predicate<String> topics, int maxEvents, long maxBytes, List<SseEvent> out);

  /**
   * The same for a subscriber of one topic, into an empty {@code out}. The events may come as
   * one run ({@link SseEvent#count()} of them in one chunk) shared with other subscribers that
   * resume from the same position.
   */
  default Step replay(long from, String topic, int maxEvents, long maxBytes, List<SseEvent> out) {
    return replay(from, topic::equals, maxEvents, maxBytes, out);
  }

  /**
   * Where a subscription starts.
   *
   * @param replayFrom the first position to replay, or -1 to go live at once
   * @param livePosition the newest position at the moment of the decision: a live subscriber
   *     takes events after it from its dispatcher
   * @param reset whether the client's id could not be resumed from (send {@code event: reset})
   * @param earliest the oldest retained id, for the reset event; null when nothing is retained
   * @param skipThrough null, or (cluster mode) the client's id when this node has not read that
   *     far yet: live events up to and including it are ones the client has, and are skipped
   * @param logAfter null, or (cluster mode) the client's id when it is older than this node's
   *     history: first the events after it and before {@code logBefore} come from the shared log
   *     ({@link #replayFromLog}), then the history from {@code replayFrom}
   * @param logBefore the id of the event at {@code replayFrom}, where the log part ends
   */
  record Start(
      long replayFrom,
      long livePosition,
      boolean reset,
      EventId earliest,
      EventId skipThrough,
      EventId logAfter,
      EventId logBefore) {
    public Start(long replayFrom, long livePosition, boolean reset, EventId earliest) {
      this(replayFrom, livePosition, reset, earliest, null, null, null);
    }

    public Start(
        long replayFrom, long livePosition, boolean reset, EventId earliest, EventId skipThrough) {
      this(replayFrom, livePosition, reset, earliest, skipThrough, null, null);
    }
  }

  /**
   * Cluster mode: the next page of events from the shared log, after {@code after} (and, on the
   * {@code first} page, checking the log still has {@code after} itself) and before {@code
   * before}, of the given topics, each encoded for the caller to write and release. {@code then}
   * runs on any thread, with the page or the reason the log could not be read.
   */
  default void replayFromLog(
      EventId after,
      boolean first,
      EventId before,
      Predicate<String> topics,
      int maxEvents,
      java.util.function.BiConsumer<LogPage, Throwable> then) {
    then.accept(null, new UnsupportedOperationException("no shared log"));
  }

  /**
   * A page of {@link #replayFromLog}.
   *
   * @param events the events to write, in order; the caller releases them
   * @param last the id of the last log entry read (of any topic): where the next page starts
   * @param done whether the log has nothing more before {@code before}
   * @param missing the log no longer has the client's id: send {@code event: reset} instead
   * @param earliest for the reset: the oldest id the log still has
   */
  record LogPage(List<SseEvent> events, EventId last, boolean done, boolean missing, EventId earliest) {}

  /**
   * One step of a replay.
   *
   * @param next the position to continue from; -1 when the events the subscriber still needed
   *     were evicted (it must be cut off, never left with a silent gap)
   * @param caughtUp whether nothing after {@code next - 1} was published yet
   */
  record Step(long next, boolean caughtUp) {}
}
