package io.herald.load.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The authentication line is the JSON Herald's ingest expects, whatever the secret holds. */
class IngestTransportTest {
  @Test
  void theAuthLineIsAJsonObjectWithTheSecretEscaped() {
    assertEquals("{\"auth\":\"plain-secret-0123456\"}", IngestTransport.authLine("plain-secret-0123456"));
    assertEquals("{\"auth\":\"a \\\"b\\\" c\\\\d\\u0009\"}", IngestTransport.authLine("a \"b\" c\\d\t"));
    assertEquals("{\"auth\":\"clé-🔑\"}", IngestTransport.authLine("clé-🔑"));
  }
}
