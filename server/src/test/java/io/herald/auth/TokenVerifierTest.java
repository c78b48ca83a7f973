package io.herald.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.herald.testing.Tokens;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The verifier on its own: what it accepts, and every way a token must be refused. */
class TokenVerifierTest {
  private static KeyPair rsa;
  private static KeyPair ec;
  private final TokenVerifier hs = TokenVerifier.hmac(bytes(Tokens.SECRET), null, null);

  @BeforeAll
  static void keys() throws Exception {
    KeyPairGenerator r = KeyPairGenerator.getInstance("RSA");
    r.initialize(2048);
    rsa = r.generateKeyPair();
    KeyPairGenerator e = KeyPairGenerator.getInstance("EC");
    e.initialize(new ECGenParameterSpec("secp256r1"));
    ec = e.generateKeyPair();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  private static void refused(TokenVerifier verifier, String token, String reasonPart) {
    AccessDenied denied = assertThrows(AccessDenied.class, () -> verifier.verify(token));
    assertEquals(401, denied.status());
    assertTrue(
        denied.getMessage().toLowerCase().contains(reasonPart.toLowerCase()), denied.getMessage());
    assertFalse(!token.isEmpty() && denied.getMessage().contains(token), "a reason never echoes the token");
  }

  @Test
  void acceptsAValidHs256TokenAndReadsItsGrants() {
    Instant exp = Instant.now().plusSeconds(600);
    String token =
        Tokens.hs256(
            "42",
            c -> c.expirationTime(Date.from(exp))
                .claim("topics", List.of("news", "chat.*"))
                .claim("publish", List.of("user.*")));
    Grants grants = hs.verify(token);
    assertEquals("42", grants.subject());
    assertEquals(exp.getEpochSecond(), grants.expiresAt().getEpochSecond());
    assertTrue(grants.canRead("user.42"));
    assertTrue(grants.canRead("news"));
    assertTrue(grants.canRead("chat.room1"));
    assertFalse(grants.canRead("user.43"));
    assertFalse(grants.canRead("newsroom"));
    assertTrue(grants.canPublish("user.7"));
    assertFalse(grants.canPublish("news"));
  }

  @Test
  void withoutATopicsClaimOnlyTheUsersOwnTopicIsReadable() {
    Grants grants = hs.verify(Tokens.hs256("42"));
    assertTrue(grants.canRead("user.42"));
    assertFalse(grants.canRead("user.420"));
    assertFalse(grants.canPublish("user.42"));
  }

  @Test
  void refusesAlgNone() {
    refused(hs, Tokens.none(Tokens.claims("42").build()), "invalid token");
  }

  @Test
  void refusesATokenSignedWithAnotherSecret() {
    refused(hs, Tokens.hs256("another-secret-0123456789-abcdefghij", Tokens.claims("42").build()),
        "signature");
  }

  @Test
  void refusesATamperedPayload() {
    String[] parts = Tokens.hs256("42").split("\\.");
    String forged = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(Tokens.claims("43").build().toString().getBytes(StandardCharsets.UTF_8));
    refused(hs, parts[0] + "." + forged + "." + parts[2], "signature");
  }

  @Test
  void refusesExpiredAndNotYetValidTokens() {
    Instant now = Instant.now();
    refused(hs, Tokens.hs256("42", c -> c.expirationTime(Date.from(now.minus(Duration.ofHours(1))))),
        "expired");
    refused(hs, Tokens.hs256("42", c -> c.notBeforeTime(Date.from(now.plus(Duration.ofHours(1))))),
        "before");
  }

  @Test
  void requiresSubAndExp() {
    refused(hs, Tokens.hs256(Tokens.SECRET,
        new JWTClaimsSet.Builder().expirationTime(Date.from(Instant.now().plusSeconds(60))).build()),
        "sub");
    refused(hs, Tokens.hs256(Tokens.SECRET, new JWTClaimsSet.Builder().subject("42").build()),
        "exp");
  }

  @Test
  void refusesTopicsThatAreNotAnArrayOfStrings() {
    refused(hs, Tokens.hs256("42", c -> c.claim("topics", "news")), "arrays of strings");
    refused(hs, Tokens.hs256("42", c -> c.claim("topics", List.of(1, 2))), "arrays of strings");
  }

  @Test
  void checksAudienceAndIssuerWhenConfigured() {
    TokenVerifier strict = TokenVerifier.hmac(bytes(Tokens.SECRET), "herald", "https://id.example");
    strict.verify(Tokens.hs256("42", c -> c.audience("herald").issuer("https://id.example")));
    refused(strict, Tokens.hs256("42", c -> c.audience("other").issuer("https://id.example")),
        "aud");
    refused(strict, Tokens.hs256("42", c -> c.audience("herald").issuer("https://evil.example")),
        "iss");
    refused(strict, Tokens.hs256("42", c -> c.issuer("https://id.example")), "aud");
  }

  @Test
  void refusesOversizedTokensUnparsed() {
    String big = Tokens.hs256("42", c -> c.claim("topics", List.of("x".repeat(9000))));
    refused(hs, big, "longer than 8192");
  }

  @Test
  void refusesGarbage() {
    refused(hs, "not-a-jwt", "malformed");
    refused(hs, "", "required");
  }

  @Test
  void refusesShortSecrets() {
    assertThrows(IllegalArgumentException.class, () -> TokenVerifier.hmac(bytes("short"), null, null));
  }

  @Test
  void rs256WithAPemPublicKey() throws Exception {
    TokenVerifier verifier = TokenVerifier.publicKey(pem(rsa.getPublic()), null, null);
    assertEquals("RS256", verifier.algorithms());
    String token = Tokens.sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256,
        Tokens.claims("42").build());
    assertEquals("42", verifier.verify(token).subject());
  }

  @Test
  void refusesAlgorithmConfusionWithTheRsaPublicKeyAsHmacSecret() throws Exception {
    String pem = pem(rsa.getPublic());
    TokenVerifier verifier = TokenVerifier.publicKey(pem, null, null);
    // The classic attack: HS256 "signed" with the public key, which the attacker knows.
    refused(verifier, Tokens.hs256(bytes(pem), Tokens.claims("42").build()), "invalid token");
    refused(verifier, Tokens.hs256(rsa.getPublic().getEncoded(), Tokens.claims("42").build()),
        "invalid token");
  }

  @Test
  void refusesAnotherAlgorithmThanTheConfiguredKeys() throws Exception {
    TokenVerifier rs = TokenVerifier.publicKey(pem(rsa.getPublic()), null, null);
    refused(rs, Tokens.sign(new ECDSASigner((ECPrivateKey) ec.getPrivate()), JWSAlgorithm.ES256,
        Tokens.claims("42").build()), "invalid token");
    refused(rs, Tokens.sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS512,
        Tokens.claims("42").build()), "invalid token");
  }

  @Test
  void es256WithAPemPublicKey() throws Exception {
    TokenVerifier verifier = TokenVerifier.publicKey(pem(ec.getPublic()), null, null);
    assertEquals("ES256", verifier.algorithms());
    String token = Tokens.sign(new ECDSASigner((ECPrivateKey) ec.getPrivate()), JWSAlgorithm.ES256,
        Tokens.claims("7").build());
    assertEquals("7", verifier.verify(token).subject());
  }

  @Test
  void jwksPicksTheKeyByKidAndIgnoresSecretKeys() throws Exception {
    RSAKey jwk = new RSAKey.Builder((RSAPublicKey) rsa.getPublic()).keyID("k1").build();
    OctetSequenceKey oct =
        new OctetSequenceKey.Builder(bytes(Tokens.SECRET)).keyID("k2").build();
    String json = com.nimbusds.jose.util.JSONObjectUtils.toJSONString(
        new JWKSet(List.of(jwk, oct)).toJSONObject(false));
    TokenVerifier verifier = TokenVerifier.jwks(json, null, null);
    SignedJWT good = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), Tokens.claims("42").build());
    good.sign(new RSASSASigner(rsa.getPrivate()));
    assertEquals("42", verifier.verify(good.serialize()).subject());
    SignedJWT withSecret = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k2").build(), Tokens.claims("42").build());
    withSecret.sign(new MACSigner(bytes(Tokens.SECRET)));
    refused(verifier, withSecret.serialize(), "invalid token");
  }

  @Test
  void refusesAPemThatIsNoPublicKey() {
    assertThrows(IllegalArgumentException.class, () -> TokenVerifier.publicKey("hello", null, null));
  }

  @Test
  void topicPatternsMatchExactNamesAndTrailingWildcardsOnly() {
    TopicPatterns p = new TopicPatterns(List.of("news", "chat.*", "a*b"));
    assertTrue(p.matches("news"));
    assertFalse(p.matches("news2"));
    assertTrue(p.matches("chat."));
    assertTrue(p.matches("chat.x.y"));
    assertFalse(p.matches("chat"));
    assertFalse(p.matches("axb"));
    assertTrue(new TopicPatterns(List.of("*")).matches("anything"));
    assertFalse(TopicPatterns.NONE.matches("anything"));
  }
}
