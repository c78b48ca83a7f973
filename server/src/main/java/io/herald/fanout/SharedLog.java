package io.herald.fanout;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Cluster mode: the log every node reads ({@code io.herald.cluster.RedisEventLog}), as the
 * {@link Broadcaster} needs it to replay what its own history no longer holds.
 */
public interface SharedLog {
  /**
   * Up to {@code count} entries, oldest first, from {@code from} (included when {@code
   * inclusive}) to {@code before} (excluded).
   */
  CompletableFuture<List<Broadcaster.Given>> range(
      io.herald.history.EventId from, boolean inclusive, io.herald.history.EventId before, int count);
}
