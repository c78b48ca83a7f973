package io.herald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.auth.Authenticator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The authentication settings are checked at start, with messages that name the option. */
class HeraldConfigAuthTest {
  private static final String SECRET = "a-secret-of-at-least-32-bytes-0123456789";
  @TempDir Path dir;

  private static String refusal(HeraldConfig.Builder builder) {
    return assertThrows(IllegalArgumentException.class, builder::build).getMessage();
  }

  @Test
  void noKeyIsOpenMode() {
    HeraldConfig config = HeraldConfig.builder().build();
    assertFalse(config.tokensRequired());
    assertEquals("herald_token", config.jwtCookie);
    assertTrue(Authenticator.from(config).isOpen());
  }

  @Test
  void keySourcesAreAlternatives() {
    String message =
        refusal(HeraldConfig.builder().jwtSecret(SECRET).jwtPublicKey(Path.of("k.pem")));
    assertTrue(message.contains("--jwt-secret") && message.contains("give one"), message);
  }

  @Test
  void aShortSecretIsRefusedWithoutPrintingIt() {
    String message = refusal(HeraldConfig.builder().jwtSecret("tooshort"));
    assertTrue(message.startsWith("--jwt-secret must be at least 32 bytes"), message);
    assertFalse(message.contains("tooshort"), message);
  }

  @Test
  void audienceAndIssuerNeedAKey() {
    assertTrue(refusal(HeraldConfig.builder().jwtAudience("herald")).startsWith("--jwt-audience"));
    assertTrue(refusal(HeraldConfig.builder().jwtIssuer("me")).startsWith("--jwt-issuer"));
  }

  @Test
  void cookieNameAndPublishKeyAreChecked() {
    assertTrue(refusal(HeraldConfig.builder().jwtCookie("a b")).startsWith("--jwt-cookie"));
    String message = refusal(HeraldConfig.builder().publishKey("short"));
    assertTrue(message.startsWith("--publish-key"), message);
    assertFalse(message.contains("short ("), message);
  }

  @Test
  void unusableKeyFilesNameTheirOption() throws Exception {
    Path pem = dir.resolve("key.pem");
    Files.writeString(pem, "not a key");
    String bad = assertThrows(IllegalArgumentException.class,
        () -> Authenticator.from(HeraldConfig.builder().jwtPublicKey(pem).build())).getMessage();
    assertTrue(bad.startsWith("--jwt-public-key"), bad);
    Path secret = dir.resolve("secret");
    Files.writeString(secret, "short\n");
    String shortSecret = assertThrows(IllegalArgumentException.class,
        () -> Authenticator.from(HeraldConfig.builder().jwtSecretFile(secret).build())).getMessage();
    assertTrue(shortSecret.startsWith("--jwt-secret-file") && shortSecret.contains("32 bytes"),
        shortSecret);
    String missing = assertThrows(IllegalArgumentException.class,
        () -> Authenticator.from(HeraldConfig.builder().jwtJwks(dir.resolve("none.json")).build()))
        .getMessage();
    assertTrue(missing.startsWith("--jwt-jwks"), missing);
  }

  @Test
  void aSecretFileWithATrailingNewlineWorks() throws Exception {
    Path secret = dir.resolve("secret");
    Files.writeString(secret, SECRET + "\n");
    Authenticator auth = Authenticator.from(HeraldConfig.builder().jwtSecretFile(secret).build());
    assertFalse(auth.isOpen());
    assertEquals("HS256", auth.subscriberMode());
  }
}
