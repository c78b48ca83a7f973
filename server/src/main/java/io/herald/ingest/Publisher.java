package io.herald.ingest;

import io.herald.fanout.Broadcaster;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the TCP ingest and {@code POST /publish} hand the events they accepted, and the one
 * place that decides when an event counts as stored.
 *
 * <p>On one node that is the {@link Broadcaster}'s history, and the future is already complete
 * when {@link #publish} returns. In cluster mode it is the shared Redis stream
 * ({@code io.herald.cluster.RedisEventLog}), and the future completes on a Redis thread once
 * Redis answered. Either way a batch is all or nothing, its events keep their order, and a
 * failed future carries a message fit to show the publisher; callers acknowledge only ids.
 */
public interface Publisher {
  /** Completes with the ids of the events, in order, once all are stored; or fails, none is. */
  CompletableFuture<List<String>> publish(List<PublishRequest> requests);

  /**
   * Whether {@link #publish}'s future is always complete when it returns. Callers may then
   * gather the events of several requests into one call (one lock for a read's pipelined POSTs)
   * without making any request wait longer for its answer.
   */
  default boolean storesAtOnce() {
    return false;
  }

  /** The single-node publisher: the broadcaster assigns ids and stores events at once. */
  static Publisher local(Broadcaster broadcaster) {
    return new Publisher() {
      @Override
      public CompletableFuture<List<String>> publish(List<PublishRequest> requests) {
        try {
          return CompletableFuture.completedFuture(broadcaster.publish(requests));
        } catch (IllegalStateException stopping) {
          return CompletableFuture.failedFuture(stopping);
        }
      }

      @Override
      public boolean storesAtOnce() {
        return true;
      }
    };
  }

  /** The message for a publisher whose events were not stored. */
  static String reason(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }
}
