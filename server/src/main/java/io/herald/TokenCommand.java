package io.herald;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.herald.auth.Authenticator;
import io.herald.auth.TokenVerifier;
import io.herald.config.DurationConverter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code herald token}: mints an HS256 token with the secret Herald verifies with, for
 * development and tests. Production tokens come from the application's own login, signed with
 * the same secret or with the private key of {@code --jwt-public-key}.
 */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Mint an HS256 token (for development) and print it.",
      "The subject may always read user.<sub>; --topics and --publish add topic patterns",
      "(exact names, or a prefix with a trailing *)."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:the token was printed", "2:bad options or an unusable secret"})
public final class TokenCommand implements Callable<Integer> {
  @Option(names = "--secret-file", required = true, paramLabel = "FILE",
      description = "File holding the HS256 secret (at least 32 bytes; trailing newline ignored).")
  Path secretFile;

  @Option(names = "--sub", required = true, description = "The user (the 'sub' claim).")
  String sub;

  @Option(names = "--topics", split = ",", paramLabel = "PATTERN",
      description = "Further topics the user may read, e.g. news,chat.*")
  List<String> topics;

  @Option(names = "--publish", split = ",", paramLabel = "PATTERN",
      description = "Topics the token may publish to with POST /publish, e.g. user.*")
  List<String> publish;

  @Option(names = "--ttl", defaultValue = "1h", converter = DurationConverter.class,
      description = "How long the token is valid.")
  Duration ttl;

  @Option(names = "--audience", description = "The 'aud' claim (for --jwt-audience).")
  String audience;

  @Option(names = "--issuer", description = "The 'iss' claim (for --jwt-issuer).")
  String issuer;

  private PrintStream stdout = System.out;
  private PrintStream stderr = System.err;

  /** For tests: where output goes. */
  TokenCommand streams(PrintStream out, PrintStream err) {
    this.stdout = out;
    this.stderr = err;
    return this;
  }

  @Override
  public Integer call() {
    byte[] secret;
    try {
      secret = Authenticator.secretFile(secretFile);
    } catch (IllegalArgumentException e) {
      stderr.println("herald token: " + e.getMessage());
      return 2;
    }
    if (secret.length < TokenVerifier.MIN_SECRET_BYTES) {
      stderr.println("herald token: the secret in " + secretFile + " must be at least "
          + TokenVerifier.MIN_SECRET_BYTES + " bytes (got " + secret.length + ")");
      return 2;
    }
    if (ttl.isNegative() || ttl.isZero()) {
      stderr.println("herald token: --ttl must be longer than zero");
      return 2;
    }
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .subject(sub)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)));
    if (topics != null && !topics.isEmpty()) {
      claims.claim("topics", topics);
    }
    if (publish != null && !publish.isEmpty()) {
      claims.claim("publish", publish);
    }
    if (audience != null) {
      claims.audience(audience);
    }
    if (issuer != null) {
      claims.issuer(issuer);
    }
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
      jwt.sign(new MACSigner(secret));
      stdout.println(jwt.serialize());
      return 0;
    } catch (JOSEException e) {
      stderr.println("herald token: " + e.getMessage());
      return 2;
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }
}
