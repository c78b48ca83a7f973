package io.herald;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.auth.Grants;
import io.herald.auth.TokenVerifier;
import io.herald.testing.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code herald token}: what it mints verifies with the same secret and carries the grants asked for. */
class TokenCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    TokenCommand command =
        new TokenCommand()
            .streams(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    return new CommandLine(command).execute(args);
  }

  private Path secretFile(String secret) throws Exception {
    Path file = dir.resolve("secret");
    Files.writeString(file, secret + "\n"); // as `echo` writes it: the newline is not the secret
    return file;
  }

  @Test
  void mintsAnHs256TokenThatHeraldAccepts() throws Exception {
    Path file = secretFile(Tokens.SECRET);
    assertEquals(0, run("--secret-file", file.toString(), "--sub", "42", "--topics", "news,chat.*",
        "--publish", "user.*", "--ttl", "10m"));
    String token = out.toString(StandardCharsets.UTF_8).trim();
    Grants grants =
        TokenVerifier.hmac(Tokens.SECRET.getBytes(StandardCharsets.UTF_8), null, null).verify(token);
    assertEquals("42", grants.subject());
    assertTrue(grants.canRead("user.42"));
    assertTrue(grants.canRead("chat.room"));
    assertTrue(grants.canRead("news"));
    assertFalse(grants.canRead("user.43"));
    assertTrue(grants.canPublish("user.43"));
    Duration left = Duration.between(Instant.now(), grants.expiresAt());
    assertTrue(left.compareTo(Duration.ofMinutes(9)) > 0 && left.compareTo(Duration.ofMinutes(11)) < 0, left.toString());
  }

  @Test
  void refusesAShortSecret() throws Exception {
    assertEquals(2, run("--secret-file", secretFile("short").toString(), "--sub", "42"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("at least 32 bytes"), err.toString());
    assertFalse(err.toString(StandardCharsets.UTF_8).contains("short"), "never prints the secret");
  }

  @Test
  void refusesAMissingSecretFile() {
    assertEquals(2, run("--secret-file", dir.resolve("nope").toString(), "--sub", "42"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot read"), err.toString());
  }
}
