package io.herald.auth;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.List;

/**
 * Where a subscriber's token comes from: {@code Authorization: Bearer}, else the cookie named by
 * {@code --jwt-cookie} (what a browser's {@code EventSource} can send), else — only with {@code
 * --allow-query-token} — the {@code token} query parameter (it ends up in proxy and access logs,
 * hence off by default). Publishers use {@link #bearer} only: a cookie rides along on any
 * cross-site form post, so it can never authorize a publish (CSRF).
 *
 * <p>The token is never logged; this class only hands it to the verifier.
 */
public final class TokenSource {
  private static final String BEARER = "Bearer ";

  private final String cookieName;
  private final boolean allowQueryToken;

  public TokenSource(String cookieName, boolean allowQueryToken) {
    this.cookieName = cookieName;
    this.allowQueryToken = allowQueryToken;
  }

  /**
   * @param authorization the {@code Authorization} header, or null
   * @param cookieHeaders every {@code Cookie} header (HTTP/2 may split them), possibly empty
   * @return the token, or null when the request carries none
   * @throws AccessDenied for a query token when those are off, or a non-Bearer authorization
   */
  public String subscriberToken(
      String authorization, List<String> cookieHeaders, QueryStringDecoder query) {
    if (authorization != null) {
      return bearer(authorization);
    }
    for (String header : cookieHeaders) {
      for (Cookie cookie : ServerCookieDecoder.STRICT.decodeAll(header)) {
        if (cookie.name().equals(cookieName) && !cookie.value().isEmpty()) {
          return cookie.value();
        }
      }
    }
    List<String> fromQuery = query.parameters().get("token");
    if (fromQuery != null && !fromQuery.isEmpty()) {
      if (!allowQueryToken) {
        throw AccessDenied.unauthenticated(
            "tokens in the query string are off (they end up in logs); send"
                + " 'Authorization: Bearer' or the " + cookieName + " cookie");
      }
      return fromQuery.get(0);
    }
    return null;
  }

  /**
   * @return the credential of an {@code Authorization: Bearer} header, or null without a header
   * @throws AccessDenied when the header is not a Bearer credential
   */
  public static String bearer(String authorization) {
    if (authorization == null) {
      return null;
    }
    if (authorization.length() <= BEARER.length()
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw AccessDenied.unauthenticated("the Authorization header must be 'Bearer <token>'");
    }
    return authorization.substring(BEARER.length()).trim();
  }
}
