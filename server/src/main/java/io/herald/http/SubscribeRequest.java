package io.herald.http;

import io.herald.auth.Grants;
import io.herald.sse.TopicNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a {@code GET /events} asks for: its topics and where to resume.
 *
 * <p>The resume point is the {@code Last-Event-ID} header when present — browsers send it on
 * their automatic reconnects — else the {@code lastEventId} query parameter, which lets a page
 * resume on its first connection (after a reload). The header wins, because a reconnecting
 * {@code EventSource} still carries the query string of its first request.
 *
 * @param topics distinct, validated topic names, in request order
 * @param lastEventId the client's last id, or null
 * @param grants what the subscriber's token allows, or null when Herald is in open mode
 */
public record SubscribeRequest(List<String> topics, String lastEventId, Grants grants) {
  /** Longest resume id considered; longer ones cannot be Herald's and get a reset. */
  static final int MAX_ID_LENGTH = 256;

  /** A request Herald refuses with 400 and this reason. */
  public static final class Invalid extends RuntimeException {
    public Invalid(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * @param uri the request target (path and query)
   * @param lastEventIdHeader the {@code Last-Event-ID} header, or null
   */
  public static SubscribeRequest parse(String uri, String lastEventIdHeader, int maxTopics) {
    return parse(new QueryStringDecoder(uri), lastEventIdHeader, maxTopics, false);
  }

  /**
   * @param noTopicAllowed whether a request without a topic is valid (an authenticated one reads
   *     its user's topic then); its topics are empty
   */
  public static SubscribeRequest parse(
      QueryStringDecoder query, String lastEventIdHeader, int maxTopics, boolean noTopicAllowed) {
    java.util.Map<String, List<String>> parameters;
    try {
      parameters = query.parameters(); // decoded once here, and cached for the token's lookup
    } catch (IllegalArgumentException badEscape) {
      throw new Invalid("malformed query string: a '%' not followed by two hex digits, or not UTF-8");
    }
    List<String> raw = parameters.getOrDefault("topic", List.of());
    if (raw.isEmpty() && !noTopicAllowed) {
      throw new Invalid("at least one topic is required, e.g. /events?topic=demo");
    }
    Set<String> topics = new LinkedHashSet<>();
    for (String topic : raw) {
      String problem = TopicNames.problem(topic);
      if (problem != null) {
        throw new Invalid("bad topic '" + printable(topic) + "': " + problem);
      }
      topics.add(topic);
    }
    if (topics.size() > maxTopics) {
      throw new Invalid(
          "too many topics: " + topics.size() + " (at most " + maxTopics + " per stream)");
    }
    String lastEventId = lastEventIdHeader;
    if (lastEventId == null) {
      List<String> fromQuery = parameters.get("lastEventId");
      lastEventId = fromQuery == null || fromQuery.isEmpty() ? null : fromQuery.get(0);
    }
    if (lastEventId != null) {
      lastEventId = lastEventId.trim();
      if (lastEventId.isEmpty()) {
        lastEventId = null; // an empty id is what a client sends after the server reset it
      } else if (lastEventId.length() > MAX_ID_LENGTH) {
        lastEventId = lastEventId.substring(0, MAX_ID_LENGTH);
      }
    }
    return new SubscribeRequest(new ArrayList<>(topics), lastEventId, null);
  }

  /** This request, reading {@code allowedTopics} as {@code grants} allow. */
  public SubscribeRequest authorized(List<String> allowedTopics, Grants grants) {
    return new SubscribeRequest(List.copyOf(allowedTopics), lastEventId, grants);
  }

  private static String printable(String topic) {
    String cut = topic.length() > 64 ? topic.substring(0, 64) + "…" : topic;
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : c);
    }
    return out.toString();
  }
}
