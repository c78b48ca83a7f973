package io.herald.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.herald.sse.TopicNames;

/**
 * Any request target and {@code Last-Event-ID} give a subscription or {@link
 * SubscribeRequest.Invalid} (a 400 with its reason), never another exception; a subscription
 * holds only valid topics, at most the limit, and a bounded resume id.
 */
class SubscribeRequestFuzzTest {
  @FuzzTest
  void anyTargetGivesASubscriptionOrA400(FuzzedDataProvider input) {
    int maxTopics = input.consumeInt(1, 8);
    String header = input.consumeBoolean() ? input.consumeString(300) : null;
    String uri = input.consumeRemainingAsString();
    SubscribeRequest request;
    try {
      request = SubscribeRequest.parse(uri, header, maxTopics);
    } catch (SubscribeRequest.Invalid refused) {
      return;
    }
    assertTrue(!request.topics().isEmpty() && request.topics().size() <= maxTopics);
    for (String topic : request.topics()) {
      assertTrue(TopicNames.problem(topic) == null, topic);
    }
    assertTrue(request.lastEventId() == null || request.lastEventId().length() <= SubscribeRequest.MAX_ID_LENGTH);
  }
}
