package io.herald.testing;

import io.herald.HeraldServer;
import io.herald.config.HeraldConfig;
import java.util.function.UnaryOperator;

/**
 * A real Herald for socket-level tests: every listener on 127.0.0.1 with a free port, HTTP
 * publishing on, and whatever else the test changes. Close it to stop it.
 */
public final class TestHerald implements AutoCloseable {
  private final HeraldServer server;

  private TestHerald(HeraldServer server) {
    this.server = server;
  }

  public static TestHerald start() {
    return start(b -> b);
  }

  public static TestHerald start(UnaryOperator<HeraldConfig.Builder> settings) {
    HeraldConfig.Builder builder =
        HeraldConfig.builder()
            .httpHost("127.0.0.1")
            .httpPort(0)
            .ingestPort(0)
            .adminPort(0)
            .eventLoops(2)
            .allowHttpPublish(true);
    return new TestHerald(new HeraldServer(settings.apply(builder).build()).start());
  }

  public HeraldServer server() {
    return server;
  }

  public int httpPort() {
    return server.httpPort();
  }

  public int ingestPort() {
    return server.ingestPort();
  }

  public int adminPort() {
    return server.adminPort();
  }

  @Override
  public void close() {
    server.stop();
  }
}
