package io.herald.auth;

/**
 * A request refused for who sent it: 401 when the credential is missing or invalid (the client
 * should get a new one), 403 when it is valid but does not reach what was asked for. The message
 * is the reason sent to the client; it never contains the token.
 */
public final class AccessDenied extends RuntimeException {
  private final int status;

  private AccessDenied(int status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }

  /** 401: no credential, or one that does not verify. */
  public static AccessDenied unauthenticated(String reason) {
    return new AccessDenied(401, reason);
  }

  /** 403: a valid credential that does not allow this topic. */
  public static AccessDenied forbidden(String reason) {
    return new AccessDenied(403, reason);
  }

  public int status() {
    return status;
  }

  public boolean isUnauthenticated() {
    return status == 401;
  }
}
