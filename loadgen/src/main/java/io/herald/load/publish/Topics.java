package io.herald.load.publish;

/**
 * Which topic each stream reads and each event goes to: {@code broadcast} (one topic, {@code
 * load}, read by every stream) or {@code per-user} ({@code user.<u>} for {@code users} users;
 * stream i reads user i mod users; event k goes to user k mod users).
 */
public final class Topics {
  public enum Mode { BROADCAST, PER_USER }

  private final Mode mode;
  private final int users;

  public Topics(Mode mode, int users) {
    this.mode = mode;
    this.users = mode == Mode.BROADCAST ? 1 : Math.max(1, users);
  }

  public int count() {
    return users;
  }

  public String name(int index) {
    return mode == Mode.BROADCAST ? "load" : "user." + index;
  }

  /** The topic (index) stream {@code i} reads. */
  public int topicOfStream(int i) {
    return i % users;
  }

  /** The topic (index) event {@code k} goes to. */
  public int topicOf(long k) {
    return (int) (k % users);
  }
}
