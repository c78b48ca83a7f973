package io.herald.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.IngestTestClient;
import io.herald.testing.RedisServer;
import io.herald.testing.SseTestClient;
import io.herald.testing.TestHerald;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode over TLS: {@code --redis rediss://…} against a real redis-server that speaks only
 * TLS (the test certificate of {@code src/test/resources/tls}), trusted through {@code
 * --redis-ca}.
 */
class ClusterTlsTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path dir;
  private Path cert;
  private RedisServer redis;
  private TestHerald node;

  @BeforeEach
  void startRedis() throws Exception {
    cert = Path.of(getClass().getResource("/tls/cert.pem").toURI());
    Path key = Path.of(getClass().getResource("/tls/key.pem").toURI());
    redis = RedisServer.startWithTls(dir, cert, key);
  }

  @AfterEach
  void stopAll() {
    if (node != null) {
      node.close();
    }
    redis.close();
  }

  @Test
  void aNodeTrustingTheCaOfRedissPublishesAndDeliversThroughTls() throws Exception {
    assertTrue(redis.uri().startsWith("rediss://"), redis.uri());
    node = TestHerald.start(b -> b.redis(redis.uri()).redisCa(cert));
    try (SseTestClient subscriber = SseTestClient.open(node.httpPort(), "/events?topic=tls", Map.of());
        IngestTestClient ingest = new IngestTestClient(node.ingestPort())) {
      subscriber.awaitComment(c -> c.contains("herald"), WAIT);
      String id = ingest.publish("tls", "\"over tls\"");
      SseTestClient.Event event = subscriber.awaitEvent(WAIT);
      assertEquals(id, event.id());
      assertEquals("over tls", event.data());
    }
  }

  @Test
  void aNodeThatDoesNotTrustTheRedisCertificateRefusesToStartNamingRedis() {
    RuntimeException refused =
        assertThrows(RuntimeException.class, () -> node = TestHerald.start(b -> b.redis(redis.uri())));
    assertTrue(refused.getMessage().startsWith("--redis: cannot connect to " + redis.uri()), refused.getMessage());
  }
}
