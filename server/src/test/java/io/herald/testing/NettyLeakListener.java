package io.herald.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs {@link NettyLeaks}' recording detectors when the test JVM's launcher session opens,
 * before any test class touches a Netty buffer (the allocators create their detector once).
 */
public final class NettyLeakListener implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    NettyLeaks.install();
  }
}
