package io.herald.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code --redis} turns cluster mode on; its value and its password are checked at start. */
class HeraldConfigRedisTest {
  private static String refusal(HeraldConfig.Builder builder) {
    return assertThrows(IllegalArgumentException.class, builder::build).getMessage();
  }

  @Test
  void withoutRedisHeraldIsOneNode() {
    assertFalse(HeraldConfig.builder().build().clusterMode());
  }

  @Test
  void acceptsRedisHostAndPort() {
    assertTrue(HeraldConfig.builder().redis("redis://127.0.0.1:6379").build().clusterMode());
    assertTrue(HeraldConfig.builder().redis("redis://redis.internal:6380").redisPassword("pw").build().clusterMode());
  }

  @Test
  void refusesAnythingButRedisHostAndPortNamingTheOption() {
    for (String bad :
        new String[] {"http://127.0.0.1:6379", "redis://127.0.0.1", "redis://:pw@127.0.0.1:6379",
          "redis://127.0.0.1:6379/0", "127.0.0.1:6379", "redis://127.0.0.1:6379?x=1", "not a uri"}) {
      String message = refusal(HeraldConfig.builder().redis(bad));
      assertTrue(message.startsWith("--redis ") && message.contains("redis://host:port"), bad + ": " + message);
      assertFalse(message.contains(":pw@"), "credentials are not echoed: " + message);
    }
  }

  @Test
  void aPasswordWithoutRedisIsRefusedWithoutPrintingIt() {
    String message = refusal(HeraldConfig.builder().redisPassword("do-not-print"));
    assertTrue(message.contains("--redis-password") && message.contains("needs --redis"), message);
    assertFalse(message.contains("do-not-print"), message);
  }
}
