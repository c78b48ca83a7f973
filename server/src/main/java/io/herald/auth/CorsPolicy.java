package io.herald.auth;

import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Which web pages may call {@code GET /events} and {@code POST /publish} from a browser
 * ({@code --cors-origin}), decided the same way for HTTP/1.1 and HTTP/2.
 *
 * <p>A listed origin is echoed exactly in {@code Access-Control-Allow-Origin}, with {@code
 * Access-Control-Allow-Credentials: true} (so a browser sends the token cookie) and {@code Vary:
 * Origin} (so a cache never serves one origin's answer to another). {@code Origin: null}
 * (sandboxed frames, {@code file:} pages) and unlisted origins get no CORS headers, and their
 * preflights are refused. {@code *} is only accepted in open mode, where there are no
 * credentials to protect, and is then answered without credentials.
 *
 * <p>Immutable; one instance shared by every connection.
 */
public final class CorsPolicy {
  public static final String ALLOW_METHODS = "GET, POST";
  public static final String ALLOW_HEADERS = "Authorization, Content-Type, Last-Event-ID";
  /** The reason a refused preflight gets with its 403. */
  public static final String REFUSED =
      "cross-origin requests from this origin are not allowed (see --cors-origin)";
  /** How long a browser may cache a preflight answer, in seconds. */
  public static final int MAX_AGE_SECONDS = 600;

  private static final CorsPolicy NONE = new CorsPolicy(Set.of(), false);

  private final Set<String> origins;
  private final boolean anyOrigin;

  private CorsPolicy(Set<String> origins, boolean anyOrigin) {
    this.origins = origins;
    this.anyOrigin = anyOrigin;
  }

  /** No cross-origin access: no CORS headers, every preflight refused. */
  public static CorsPolicy none() {
    return NONE;
  }

  /**
   * @param origins exact origins ({@code https://app.example.com}), or the single entry {@code *}
   *     (already validated by the configuration: only in open mode)
   */
  public static CorsPolicy of(List<String> origins) {
    if (origins == null || origins.isEmpty()) {
      return NONE;
    }
    if (origins.contains("*")) {
      return new CorsPolicy(Set.of(), true);
    }
    return new CorsPolicy(Set.copyOf(origins), false);
  }

  /** Whether a request from {@code origin} (the {@code Origin} header, or null) may read answers. */
  public boolean allows(String origin) {
    if (origin == null || origin.equals("null")) {
      return false;
    }
    return anyOrigin || origins.contains(origin);
  }

  /**
   * Adds the CORS headers of an actual (not preflight) answer to a request from {@code origin};
   * nothing for an origin that is not allowed.
   */
  public void addResponseHeaders(String origin, BiConsumer<String, String> header) {
    if (!allows(origin)) {
      return;
    }
    if (anyOrigin) {
      header.accept("access-control-allow-origin", "*");
      return;
    }
    header.accept("access-control-allow-origin", origin);
    header.accept("access-control-allow-credentials", "true");
    header.accept("vary", "Origin");
  }

  /** Whether a request is a CORS preflight: {@code OPTIONS} with an origin and a method to ask for. */
  public static boolean isPreflight(String method, String origin, String requestMethod) {
    return "OPTIONS".equals(method) && origin != null && requestMethod != null;
  }

  /**
   * Answers a preflight: true, with its headers added, when {@code origin} may send {@code
   * requestMethod}; false (the caller answers 403 without CORS headers) otherwise.
   */
  public boolean preflight(String origin, String requestMethod, BiConsumer<String, String> header) {
    if (!allows(origin) || !(requestMethod.equals("GET") || requestMethod.equals("POST"))) {
      return false;
    }
    addResponseHeaders(origin, header);
    header.accept("access-control-allow-methods", ALLOW_METHODS);
    header.accept("access-control-allow-headers", ALLOW_HEADERS);
    header.accept("access-control-max-age", String.valueOf(MAX_AGE_SECONDS));
    return true;
  }
}
