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

  @Test
  void rediss_isTls_andRedisCaNeedsItAndAReadablePemFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path pem = dir.resolve("ca.pem");
    java.nio.file.Files.writeString(pem, "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n");
    assertTrue(HeraldConfig.builder().redis("rediss://redis.internal:6380").redisCa(pem).build().clusterMode());

    String plain = refusal(HeraldConfig.builder().redis("redis://127.0.0.1:6379").redisCa(pem));
    assertTrue(plain.startsWith("--redis-ca ") && plain.contains("rediss://"), plain);
    String alone = refusal(HeraldConfig.builder().redisCa(pem));
    assertTrue(alone.startsWith("--redis-ca ") && alone.contains("needs --redis"), alone);
    String missing = refusal(HeraldConfig.builder().redis("rediss://127.0.0.1:6380").redisCa(dir.resolve("nope.pem")));
    assertTrue(missing.startsWith("--redis-ca cannot be read") && missing.contains("nope.pem"), missing);
    java.nio.file.Path notPem = dir.resolve("key.txt");
    java.nio.file.Files.writeString(notPem, "not a certificate");
    String wrong = refusal(HeraldConfig.builder().redis("rediss://127.0.0.1:6380").redisCa(notPem));
    assertTrue(wrong.startsWith("--redis-ca must hold PEM certificates"), wrong);
  }
}
