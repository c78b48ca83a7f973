package io.herald.auth;

import java.time.Instant;

/**
 * What a verified token allows: its subject may always read {@code user.<sub>}, may read the
 * topics its {@code topics} claim lists, and may publish to those of its {@code publish} claim.
 *
 * @param subject the {@code sub} claim
 * @param read further topics the subject may read
 * @param publish topics the subject may publish to (none unless the token says so)
 * @param expiresAt the {@code exp} claim: a stream opened with this token ends then
 */
public record Grants(String subject, TopicPatterns read, TopicPatterns publish, Instant expiresAt) {
  /** The topic every user may read, and the one {@code GET /events} without a topic opens. */
  public String userTopic() {
    return "user." + subject;
  }

  public boolean canRead(String topic) {
    return topic.equals(userTopic()) || read.matches(topic);
  }

  public boolean canPublish(String topic) {
    return publish.matches(topic);
  }
}
