package io.herald.http;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open event streams per user ({@code --max-streams-per-user}, by the token's {@code sub}) and per
 * client address ({@code --max-streams-per-ip}), counted across every event loop, so one user or
 * one host cannot hold all of Herald's connections. A stream over a limit is refused the way
 * {@link EventsRoute#refuse} refuses: 200, a jittered {@code retry:}, the end.
 *
 * <p>Each count lives in a {@link ConcurrentHashMap} entry changed only inside {@code compute}
 * (atomic per key); an entry that falls to zero is removed, so the maps hold only users and
 * addresses with open streams. Thread-safe; one instance for the whole server.
 */
public final class StreamLimits {
  /** No limits: every stream is admitted. */
  public static final StreamLimits NONE = new StreamLimits(0, 0);

  private static final Runnable NOTHING = () -> {};

  private final int perUser;
  private final int perIp;
  private final ConcurrentHashMap<String, Integer> users = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Integer> ips = new ConcurrentHashMap<>();

  /** @param perUser streams per user at most, 0 for no limit; @param perIp likewise per address */
  public StreamLimits(int perUser, int perIp) {
    if (perUser < 0 || perIp < 0) {
      throw new IllegalArgumentException("limits must be 0 (off) or positive");
    }
    this.perUser = perUser;
    this.perIp = perIp;
  }

  /**
   * Counts a new stream of {@code user} (null in open mode) from {@code channel}'s address.
   *
   * @return what to run exactly once when the stream ends, or null when it is over a limit (then
   *     nothing was counted)
   */
  public Runnable tryOpen(String user, Channel channel) {
    String ip = perIp > 0 ? addressOf(channel) : null;
    if (ip != null && !acquire(ips, ip, perIp)) {
      return null;
    }
    boolean userCounted = user != null && perUser > 0;
    if (userCounted && !acquire(users, user, perUser)) {
      if (ip != null) {
        release(ips, ip);
      }
      return null;
    }
    if (ip == null && !userCounted) {
      return NOTHING;
    }
    return () -> {
      if (ip != null) {
        release(ips, ip);
      }
      if (userCounted) {
        release(users, user);
      }
    };
  }

  /** Open streams of {@code user}, for tests and stats. */
  int streamsOfUser(String user) {
    return users.getOrDefault(user, 0);
  }

  /** Open streams from {@code ip}, for tests and stats. */
  int streamsFromAddress(String ip) {
    return ips.getOrDefault(ip, 0);
  }

  private static boolean acquire(ConcurrentHashMap<String, Integer> counts, String key, int max) {
    boolean[] admitted = {false};
    counts.compute(
        key,
        (k, open) -> {
          int n = open == null ? 0 : open;
          if (n >= max) {
            return open;
          }
          admitted[0] = true;
          return n + 1;
        });
    return admitted[0];
  }

  private static void release(ConcurrentHashMap<String, Integer> counts, String key) {
    counts.computeIfPresent(key, (k, open) -> open <= 1 ? null : open - 1);
  }

  private static String addressOf(Channel channel) {
    return channel.remoteAddress() instanceof InetSocketAddress address
            && address.getAddress() != null
        ? address.getAddress().getHostAddress()
        : String.valueOf(channel.remoteAddress());
  }
}
