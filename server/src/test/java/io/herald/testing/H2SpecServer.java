package io.herald.testing;

import io.herald.HeraldServer;
import io.herald.config.HeraldConfig;

/**
 * The server h2spec (HTTP/2 conformance) runs against during the build: Herald on the given
 * port, speaking h2c with prior knowledge, with publishing over HTTP on so POST streams carry
 * bodies. Started by the h2spec Maven plugin, which passes the port as the only argument.
 */
public final class H2SpecServer {
  private H2SpecServer() {}

  public static void main(String[] args) {
    new HeraldServer(
            HeraldConfig.builder()
                .httpHost("127.0.0.1")
                .httpPort(Integer.parseInt(args[0]))
                .ingestPort(0)
                .adminPort(0)
                .allowHttpPublish(true)
                .build())
        .start();
  }
}
