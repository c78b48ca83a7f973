package io.herald.auth;

import io.herald.config.HeraldConfig;
import io.herald.sse.TopicNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Who may subscribe to and publish what, decided once per request for HTTP/1.1 and HTTP/2 alike.
 *
 * <p>With no token key configured Herald is in <em>open mode</em>: anyone may read any topic, as
 * before authentication existed. With a key, every {@code GET /events} needs a valid token and
 * reads only what it grants. {@code POST /publish} needs a credential whenever one is configured
 * (a static {@code --publish-key}, or a token with a {@code publish} claim); without any it is
 * open when {@code --allow-http-publish} says so, and off otherwise.
 */
public final class Authenticator {
  private static final TopicPatterns ANY_TOPIC = new TopicPatterns(List.of("*"));

  private final TokenVerifier verifier;
  private final TokenSource source;
  private final byte[] publishKey;
  private final boolean openHttpPublish;

  /**
   * @param verifier null for open mode
   * @param publishKey the static publisher key, or null
   * @param openHttpPublish {@code --allow-http-publish}: open publishing when no credential is set
   */
  public Authenticator(
      TokenVerifier verifier, TokenSource source, String publishKey, boolean openHttpPublish) {
    this.verifier = verifier;
    this.source = source;
    this.publishKey = publishKey == null ? null : publishKey.getBytes(StandardCharsets.UTF_8);
    this.openHttpPublish = openHttpPublish;
  }

  /**
   * Builds the authenticator the configuration asks for, reading its key files.
   *
   * @throws IllegalArgumentException naming the option whose file or key is unusable
   */
  public static Authenticator from(HeraldConfig config) {
    TokenVerifier verifier = null;
    if (config.jwtSecret != null) {
      verifier = verifier("--jwt-secret", () -> TokenVerifier.hmac(
          config.jwtSecret.getBytes(StandardCharsets.UTF_8), config.jwtAudience, config.jwtIssuer));
    } else if (config.jwtSecretFile != null) {
      byte[] secret = secretFile(config.jwtSecretFile);
      verifier = verifier("--jwt-secret-file " + config.jwtSecretFile,
          () -> TokenVerifier.hmac(secret, config.jwtAudience, config.jwtIssuer));
      Arrays.fill(secret, (byte) 0);
    } else if (config.jwtPublicKey != null) {
      String pem = read("--jwt-public-key", config.jwtPublicKey);
      verifier = verifier("--jwt-public-key " + config.jwtPublicKey,
          () -> TokenVerifier.publicKey(pem, config.jwtAudience, config.jwtIssuer));
    } else if (config.jwtJwks != null) {
      String json = read("--jwt-jwks", config.jwtJwks);
      verifier = verifier("--jwt-jwks " + config.jwtJwks,
          () -> TokenVerifier.jwks(json, config.jwtAudience, config.jwtIssuer));
    }
    return new Authenticator(
        verifier,
        new TokenSource(config.jwtCookie, config.allowQueryToken),
        config.publishKey,
        config.allowHttpPublish);
  }

  /** A secret file's bytes, without the trailing newline an editor or {@code echo} leaves. */
  public static byte[] secretFile(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the JWT secret file " + file + ": " + e.getMessage());
    }
    int n = bytes.length;
    while (n > 0 && (bytes[n - 1] == '\n' || bytes[n - 1] == '\r')) {
      n--;
    }
    return Arrays.copyOf(bytes, n);
  }

  private static String read(String option, Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(option + ": cannot read " + file + ": " + e.getMessage());
    }
  }

  private static TokenVerifier verifier(String origin, java.util.function.Supplier<TokenVerifier> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(origin + ": " + e.getMessage());
    }
  }

  /** Open mode, no publisher credential: today's behaviour. */
  public static Authenticator open(boolean openHttpPublish) {
    return new Authenticator(null, new TokenSource("herald_token", false), null, openHttpPublish);
  }

  /** Whether anyone may read any topic (no token key configured). */
  public boolean isOpen() {
    return verifier == null;
  }

  /** For the start-up line: {@code open}, or the accepted algorithms. */
  public String subscriberMode() {
    return verifier == null ? "open" : verifier.algorithms();
  }

  /** For the start-up line. */
  public String publishMode() {
    if (publishCredentialConfigured()) {
      return (publishKey != null ? "key" : "") + (publishKey != null && verifier != null ? "+" : "")
          + (verifier != null ? "jwt" : "");
    }
    return openHttpPublish ? "open" : "off";
  }

  /**
   * The rights of a subscriber, checked before anything is subscribed or replayed.
   *
   * @param topics the requested topics; empty means "my own topic" (needs a token)
   * @return the topics to subscribe to (those requested, or {@code user.<sub>} when none were),
   *     with the grants that allowed them (null in open mode)
   * @throws AccessDenied 401 without a valid token (when one is required), 403 for a topic the
   *     token does not grant
   */
  public Subscription subscriber(
      List<String> topics, String authorization, List<String> cookieHeaders, QueryStringDecoder query) {
    if (verifier == null) {
      return new Subscription(topics, null);
    }
    String token = source.subscriberToken(authorization, cookieHeaders, query);
    if (token == null) {
      throw AccessDenied.unauthenticated(
          "a token is required: send 'Authorization: Bearer <token>' or a cookie");
    }
    Grants grants = verifier.verify(token);
    if (topics.isEmpty()) {
      String own = grants.userTopic();
      if (TopicNames.problem(own) != null) {
        throw AccessDenied.forbidden(
            "the token's sub cannot form a topic name; ask for a topic with ?topic=");
      }
      return new Subscription(List.of(own), grants);
    }
    for (String topic : topics) {
      if (!grants.canRead(topic)) {
        throw AccessDenied.forbidden("the token does not allow reading topic '" + topic + "'");
      }
    }
    return new Subscription(topics, grants);
  }

  /**
   * What a subscriber was allowed.
   *
   * @param topics what to subscribe to
   * @param grants the token's grants, or null in open mode (no expiry)
   */
  public record Subscription(List<String> topics, Grants grants) {}

  /** Whether {@code POST /publish} is served at all. */
  public boolean publishEnabled() {
    return openHttpPublish || publishCredentialConfigured();
  }

  private boolean publishCredentialConfigured() {
    return publishKey != null || verifier != null;
  }

  /**
   * Checks a publisher's credential, before its body is parsed.
   *
   * @param authorization the {@code Authorization} header, or null; cookies are never consulted
   * @return what it may publish to
   * @throws AccessDenied 401 without a valid credential
   */
  public TopicPatterns publisher(String authorization) {
    if (!publishCredentialConfigured()) {
      return ANY_TOPIC; // open HTTP publishing (publishEnabled() was checked by the route)
    }
    String credential = TokenSource.bearer(authorization);
    if (credential == null || credential.isEmpty()) {
      throw AccessDenied.unauthenticated(
          "publishing needs 'Authorization: Bearer <publish key or token>'");
    }
    if (publishKey != null
        && MessageDigest.isEqual(publishKey, credential.getBytes(StandardCharsets.UTF_8))) {
      return ANY_TOPIC; // the static key may publish anywhere
    }
    if (verifier == null) {
      throw AccessDenied.unauthenticated("wrong publish key");
    }
    Grants grants = verifier.verify(credential);
    if (grants.publish().isEmpty()) {
      throw AccessDenied.forbidden("the token has no publish claim: it may not publish");
    }
    return grants.publish();
  }

  /**
   * @throws AccessDenied 403 for the first topic outside {@code allowed}
   */
  public static void checkPublishTopics(TopicPatterns allowed, List<String> topics) {
    for (String topic : topics) {
      if (!allowed.matches(topic)) {
        throw AccessDenied.forbidden("not allowed to publish to topic '" + topic + "'");
      }
    }
  }
}
