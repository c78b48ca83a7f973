package io.herald.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;

/** Mints test tokens: valid ones, and every kind of bad one a verifier must refuse. */
public final class Tokens {
  /** A 32-byte HS256 secret for tests. */
  public static final String SECRET = "test-secret-0123456789-abcdefghij";

  private Tokens() {}

  /** Claims for {@code sub}, valid for an hour from now. */
  public static JWTClaimsSet.Builder claims(String sub) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .subject(sub)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofHours(1))));
  }

  public static String hs256(String sub) {
    return hs256(SECRET, claims(sub).build());
  }

  public static String hs256(String sub, UnaryOperator<JWTClaimsSet.Builder> edit) {
    return hs256(SECRET, edit.apply(claims(sub)).build());
  }

  public static String hs256(String secret, JWTClaimsSet claims) {
    return hs256(secret.getBytes(StandardCharsets.UTF_8), claims);
  }

  public static String hs256(byte[] secret, JWTClaimsSet claims) {
    try {
      return sign(new MACSigner(secret), JWSAlgorithm.HS256, claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sign(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsecured token ({@code alg: none}) with these claims. */
  public static String none(JWTClaimsSet claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8))
        + ".";
  }

  public static List<String> list(String... values) {
    return List.of(values);
  }
}
