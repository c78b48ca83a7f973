package io.herald.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a JWT and turns it into {@link Grants}.
 *
 * <p>The accepted algorithm comes from the configuration, never from the token: a verifier built
 * with a shared secret accepts only HS256, one built with a public key only RS256 or ES256 (by the
 * key's type), one built from a JWKS only RS256 and ES256 with its public keys. So {@code alg:
 * none} and algorithm confusion (an HS256 token "signed" with the bytes of the RSA public key) are
 * refused before any signature is computed. Tokens over {@link #MAX_TOKEN_CHARS} are refused
 * unparsed. {@code sub} and {@code exp} are required; {@code aud} and {@code iss} are checked when
 * configured; {@code exp} and {@code nbf} are checked with {@link #CLOCK_SKEW_SECONDS} of leeway.
 *
 * <p>Thread-safe: the underlying processor keeps no per-call state, so one verifier serves every
 * event loop.
 */
public final class TokenVerifier {
  /** Longest token read: bigger ones are refused before parsing (memory and CPU abuse). */
  public static final int MAX_TOKEN_CHARS = 8192;
  /** HS256 secrets shorter than this are guessable offline from one token (RFC 7518 §3.2). */
  public static final int MIN_SECRET_BYTES = 32;
  /** Leeway for clocks that differ between the token issuer and Herald. */
  public static final int CLOCK_SKEW_SECONDS = 30;

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final String algorithms;

  private TokenVerifier(
      JWSVerificationKeySelector<SecurityContext> keys,
      String algorithms,
      String audience,
      String issuer) {
    this.algorithms = algorithms;
    processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(keys);
    JWTClaimsSet exact = issuer == null ? null : new JWTClaimsSet.Builder().issuer(issuer).build();
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            audience == null ? null : Set.of(audience), exact, Set.of("sub", "exp"), null);
    claims.setMaxClockSkew(CLOCK_SKEW_SECONDS);
    processor.setJWTClaimsSetVerifier(claims);
  }

  /** HS256 with a shared secret of at least {@link #MIN_SECRET_BYTES} bytes. */
  public static TokenVerifier hmac(byte[] secret, String audience, String issuer) {
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "the JWT secret must be at least " + MIN_SECRET_BYTES + " bytes (got " + secret.length + ")");
    }
    JWKSource<SecurityContext> source = new ImmutableSecret<>(secret.clone());
    return new TokenVerifier(
        new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, source), "HS256", audience, issuer);
  }

  /** RS256 for an RSA key, ES256 for a P-256 key, from a PEM {@code PUBLIC KEY} (SubjectPublicKeyInfo). */
  public static TokenVerifier publicKey(String pem, String audience, String issuer) {
    PublicKey key = parsePublicKey(pem);
    JWK jwk;
    JWSAlgorithm alg;
    if (key instanceof RSAPublicKey rsa) {
      if (rsa.getModulus().bitLength() < 2048) {
        throw new IllegalArgumentException("the RSA public key must have at least 2048 bits");
      }
      jwk = new RSAKey.Builder(rsa).build();
      alg = JWSAlgorithm.RS256;
    } else if (key instanceof ECPublicKey ec) {
      if (!Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
        throw new IllegalArgumentException("the EC public key must be on curve P-256 (for ES256)");
      }
      jwk = new ECKey.Builder(Curve.P_256, ec).build();
      alg = JWSAlgorithm.ES256;
    } else {
      throw new IllegalArgumentException("the public key must be RSA or EC P-256");
    }
    return new TokenVerifier(
        new JWSVerificationKeySelector<>(alg, new ImmutableJWKSet<>(new JWKSet(jwk))),
        alg.getName(),
        audience,
        issuer);
  }

  /**
   * RS256 and ES256 with the public RSA and EC keys of a JWKS document (a token's {@code kid}
   * picks among them). Secret ({@code oct}) and private key material in the file is ignored.
   */
  public static TokenVerifier jwks(String json, String audience, String issuer) {
    JWKSet set;
    try {
      set = JWKSet.parse(json).toPublicJWKSet();
    } catch (ParseException e) {
      throw new IllegalArgumentException("not a JWKS document: " + e.getMessage());
    }
    if (set.isEmpty()) {
      throw new IllegalArgumentException("the JWKS has no public keys");
    }
    Set<JWSAlgorithm> algs = new HashSet<>(List.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256));
    return new TokenVerifier(
        new JWSVerificationKeySelector<>(algs, new ImmutableJWKSet<>(set)),
        "RS256/ES256 (JWKS, " + set.size() + " keys)",
        audience,
        issuer);
  }

  /** The algorithms this verifier accepts, for the start-up line. */
  public String algorithms() {
    return algorithms;
  }

  /**
   * @return what the token allows
   * @throws AccessDenied (401) when it is malformed, oversized, badly signed, expired, not yet
   *     valid, for another audience or issuer, or has claims of the wrong type
   */
  public Grants verify(String token) {
    if (token == null || token.isEmpty()) {
      throw AccessDenied.unauthenticated("a token is required");
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      throw AccessDenied.unauthenticated(
          "the token is longer than " + MAX_TOKEN_CHARS + " characters");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException e) {
      throw AccessDenied.unauthenticated("malformed token");
    } catch (BadJOSEException | JOSEException e) {
      throw AccessDenied.unauthenticated("invalid token: " + e.getMessage());
    }
    try {
      String subject = claims.getSubject();
      if (subject == null || subject.isEmpty()) {
        throw AccessDenied.unauthenticated("invalid token: sub must be a non-empty string");
      }
      return new Grants(
          subject,
          patterns(claims.getStringListClaim("topics")),
          patterns(claims.getStringListClaim("publish")),
          claims.getExpirationTime().toInstant());
    } catch (ParseException e) {
      throw AccessDenied.unauthenticated(
          "invalid token: sub must be a string, topics and publish arrays of strings");
    }
  }

  private static TopicPatterns patterns(List<String> claim) {
    return claim == null ? TopicPatterns.NONE : new TopicPatterns(claim);
  }

  private static PublicKey parsePublicKey(String pem) {
    String begin = "-----BEGIN PUBLIC KEY-----";
    String end = "-----END PUBLIC KEY-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException(
          "expected a PEM '" + begin + "' block (openssl pkey -pubout writes one)");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the PEM public key is not valid base64");
    }
    for (String type : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
      } catch (Exception notThisType) {
        // try the next key type
      }
    }
    throw new IllegalArgumentException("the PEM public key is neither RSA nor EC");
  }
}
