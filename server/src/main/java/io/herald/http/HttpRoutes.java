package io.herald.http;

/**
 * Which route a request takes, decided once for HTTP/1.1 and HTTP/2 alike: {@code GET /events},
 * {@code POST /publish}, with {@code --demo} the demo page at {@code GET /} and {@code /demo},
 * or a 404 / 405 with the reason.
 */
final class HttpRoutes {
  enum Kind {
    EVENTS,
    PUBLISH,
    /** A CORS preflight ({@code OPTIONS} with {@code Origin} and the method it asks for). */
    PREFLIGHT,
    DEMO,
    NOT_FOUND,
    METHOD_NOT_ALLOWED
  }

  /** @param allow for 405, the method the path takes; @param message for 404 and 405 */
  record Route(Kind kind, String allow, String message) {}

  private static final Route EVENTS = new Route(Kind.EVENTS, null, null);
  private static final Route PUBLISH = new Route(Kind.PUBLISH, null, null);
  private static final Route PREFLIGHT = new Route(Kind.PREFLIGHT, null, null);
  private static final Route DEMO = new Route(Kind.DEMO, null, null);

  private HttpRoutes() {}

  /**
   * The decoded path of a request target; a path with a malformed {@code %}-escape is returned
   * raw, so it matches no route and gets a 404 (Netty's decoder throws on it, which used to
   * close the connection without an answer).
   */
  static String path(String uri) {
    try {
      return new io.netty.handler.codec.http.QueryStringDecoder(uri).path();
    } catch (IllegalArgumentException badEscape) {
      int query = uri.indexOf('?');
      return query < 0 ? uri : uri.substring(0, query);
    }
  }

  /**
   * @param preflight whether the request is a CORS preflight ({@code CorsPolicy.isPreflight})
   * @param demo {@code --demo}: whether {@code /} and {@code /demo} serve the demo page
   */
  static Route route(String method, String path, boolean preflight, boolean demo) {
    return switch (path) {
      case "/events" -> preflight ? PREFLIGHT : method.equals("GET") ? EVENTS : notAllowed(method, "GET");
      case "/publish" -> preflight ? PREFLIGHT : method.equals("POST") ? PUBLISH : notAllowed(method, "POST");
      case "/", "/demo" -> !demo ? notFound(path) : method.equals("GET") ? DEMO : notAllowed(method, "GET");
      default -> notFound(path);
    };
  }

  private static Route notFound(String path) {
    return new Route(Kind.NOT_FOUND, null, "no such path: " + path);
  }

  private static Route notAllowed(String method, String allow) {
    return new Route(Kind.METHOD_NOT_ALLOWED, allow, method + " is not allowed here; use " + allow);
  }
}
