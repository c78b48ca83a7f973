package io.herald.ingest;

import java.util.Objects;

/**
 * One event as a publisher asked for it, before Herald gives it an id: what the TCP ingest and
 * {@code POST /publish} both turn their JSON into.
 *
 * @param topic the topic, already checked by {@link io.herald.sse.TopicNames}
 * @param type the SSE event type ({@code event:} field), or {@code null} for the default
 *     ({@code message}); never contains CR, LF or NUL
 * @param data the payload as text: a JSON string's value, or any other JSON value written
 *     compactly on one line
 */
public record PublishRequest(String topic, String type, String data) {
  public PublishRequest {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(data, "data");
  }
}
