package io.herald.load.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicsTest {
  private static Map<String, Integer> streamsPerTopic(Topics topics, int streams) {
    Map<String, Integer> count = new HashMap<>();
    for (int i = 0; i < streams; i++) {
      count.merge(topics.name(topics.topicOfStream(i)), 1, Integer::sum);
    }
    return count;
  }

  private static Map<String, Integer> eventsPerTopic(Topics topics, int events) {
    Map<String, Integer> count = new HashMap<>();
    for (long k = 0; k < events; k++) {
      count.merge(topics.name(topics.topicOf(k)), 1, Integer::sum);
    }
    return count;
  }

  @Test
  void mixSendsTheBroadcastShareOfStreamsAndEventsToLoadAndSpreadsTheRestOverUsers() {
    Topics topics = new Topics(Topics.Mode.MIX, 10, 30);
    assertEquals(11, topics.count());
    Map<String, Integer> streams = streamsPerTopic(topics, 1000);
    assertEquals(300, streams.get("load"));
    for (int u = 0; u < 10; u++) {
      assertEquals(70, streams.get("user." + u), "user." + u);
    }
    Map<String, Integer> events = eventsPerTopic(topics, 1000);
    assertEquals(300, events.get("load"));
    for (int u = 0; u < 10; u++) {
      assertEquals(70, events.get("user." + u), "user." + u);
    }
  }

  @Test
  void broadcastStreamsAreSpreadEvenlyNotBunched() {
    Topics topics = new Topics(Topics.Mode.MIX, 4, 50);
    StringBuilder pattern = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      pattern.append(topics.name(topics.topicOfStream(i)).equals("load") ? 'B' : 'u');
    }
    assertEquals("uBuBuBuB", pattern.toString());
  }

  @Test
  void theEndsOfTheShareAreAllOneKind() {
    assertEquals(Map.of("load", 100), eventsPerTopic(new Topics(Topics.Mode.MIX, 5, 100), 100));
    Map<String, Integer> none = eventsPerTopic(new Topics(Topics.Mode.MIX, 5, 0), 100);
    assertEquals(5, none.size());
    assertEquals(20, none.get("user.0"));
  }

  @Test
  void broadcastAndPerUserAreUnchanged() {
    Topics broadcast = new Topics(Topics.Mode.BROADCAST, 1000);
    assertEquals(1, broadcast.count());
    assertEquals("load", broadcast.name(broadcast.topicOf(7)));
    Topics perUser = new Topics(Topics.Mode.PER_USER, 3);
    assertEquals(3, perUser.count());
    assertEquals("user.2", perUser.name(perUser.topicOfStream(5)));
    assertEquals("user.1", perUser.name(perUser.topicOf(4)));
    assertEquals(2, perUser.userOfStream(5));
  }

  @org.junit.jupiter.api.Test
  void aPrefixGoesBeforeEveryTopicName() {
    Topics mix = new Topics(Topics.Mode.MIX, 2, 50, "p1.");
    org.junit.jupiter.api.Assertions.assertEquals("p1.user.0", mix.name(0));
    org.junit.jupiter.api.Assertions.assertEquals("p1.load", mix.name(2));
    org.junit.jupiter.api.Assertions.assertEquals("load", new Topics(Topics.Mode.BROADCAST, 1).name(0));
  }
}
