package io.herald.load.publish;

/**
 * Which topic each stream reads and each event goes to: {@code broadcast} (one topic, {@code
 * load}, read by every stream), {@code per-user} ({@code user.<u>} for {@code users} users;
 * stream i reads user i mod users; event k goes to user k mod users), or {@code mix}: a share of
 * the streams reads {@code load} and the rest read per-user topics, and the same share of the
 * events goes to {@code load}, the rest to the users in turn.
 *
 * <p>In {@code mix} the broadcast streams (and events) are spread evenly, not bunched: item n is
 * a broadcast one when {@code floor((n + 1) * share / 100) > floor(n * share / 100)}, so any run
 * of items has the share to within one. Topic indexes are {@code 0..users-1} for the users and
 * {@code users} for {@code load}.
 */
public final class Topics {
  public enum Mode { BROADCAST, PER_USER, MIX }

  private static final String BROADCAST_TOPIC = "load";

  private final Mode mode;
  private final int users;
  private final int broadcastShare;
  private final String prefix;

  public Topics(Mode mode, int users) {
    this(mode, users, mode == Mode.BROADCAST ? 100 : 0);
  }

  /** @param broadcastShare for {@link Mode#MIX}: percent of streams and events on {@code load}, 0 to 100 */
  public Topics(Mode mode, int users, int broadcastShare) {
    this(mode, users, broadcastShare, "");
  }

  /**
   * @param prefix put before every topic name ({@code --topic-prefix}), so that several
   *     herald-load processes on one server each check their own topics
   */
  public Topics(Mode mode, int users, int broadcastShare, String prefix) {
    if (broadcastShare < 0 || broadcastShare > 100) {
      throw new IllegalArgumentException("broadcastShare: " + broadcastShare + " (expected 0 to 100)");
    }
    this.mode = mode;
    this.users = mode == Mode.BROADCAST ? 1 : Math.max(1, users);
    this.broadcastShare = broadcastShare;
    this.prefix = prefix;
  }

  /** Topics in use; indexes run from 0 to {@code count() - 1}. */
  public int count() {
    return mode == Mode.MIX ? users + 1 : users;
  }

  public String name(int index) {
    return prefix + (mode == Mode.BROADCAST || index == users ? BROADCAST_TOPIC : "user." + index);
  }

  /** The topic (index) stream {@code i} reads. */
  public int topicOfStream(int i) {
    return topicOfItem(i);
  }

  /** The topic (index) event {@code k} goes to. */
  public int topicOf(long k) {
    return topicOfItem(k);
  }

  /** The user of stream {@code i} (for {@code {u}} in the URL): its user topic, or a user index spread alike. */
  public int userOfStream(int i) {
    return switch (mode) {
      case BROADCAST -> 0;
      case PER_USER -> i % users;
      case MIX -> isBroadcast(i) ? i % users : (int) ((i - broadcastsBefore(i)) % users);
    };
  }

  private int topicOfItem(long n) {
    return switch (mode) {
      case BROADCAST -> 0;
      case PER_USER -> (int) (n % users);
      // The per-user items are numbered among themselves, so the users take turns evenly.
      case MIX -> isBroadcast(n) ? users : (int) ((n - broadcastsBefore(n)) % users);
    };
  }

  private boolean isBroadcast(long n) {
    return broadcastsBefore(n + 1) > broadcastsBefore(n);
  }

  /** How many of items 0..n-1 are broadcast ones. */
  private long broadcastsBefore(long n) {
    return n * broadcastShare / 100;
  }
}
