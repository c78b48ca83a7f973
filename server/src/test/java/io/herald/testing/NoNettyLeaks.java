package io.herald.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class if any Netty buffer leaked while it ran. Registered for every class
 * through {@code junit-platform.properties} (extension autodetection).
 */
public final class NoNettyLeaks implements AfterAllCallback {
  @Override
  public void afterAll(ExtensionContext context) {
    NettyLeaks.check();
  }
}
