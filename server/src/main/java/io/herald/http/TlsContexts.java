package io.herald.http;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.File;
import javax.net.ssl.SSLException;

/**
 * The TLS side of the public port: a certificate and key from PEM files, ALPN offering {@code h2}
 * then {@code http/1.1}, and the cipher suites HTTP/2 allows (RFC 9113 §9.2.2). BoringSSL
 * (netty-tcnative) when its native library loads, the JDK's TLS otherwise.
 */
public final class TlsContexts {
  private TlsContexts() {}

  public static SslProvider provider() {
    return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  public static SslContext server(File certificateChain, File privateKey) {
    if (!certificateChain.canRead()) {
      throw new IllegalArgumentException("--tls-cert: cannot read " + certificateChain);
    }
    if (!privateKey.canRead()) {
      throw new IllegalArgumentException("--tls-key: cannot read " + privateKey);
    }
    try {
      return SslContextBuilder.forServer(certificateChain, privateKey)
          .sslProvider(provider())
          .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(
              new ApplicationProtocolConfig(
                  ApplicationProtocolConfig.Protocol.ALPN,
                  ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                  ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                  ApplicationProtocolNames.HTTP_2,
                  ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--tls-cert/--tls-key: cannot use " + certificateChain + " and " + privateKey + ": " + e.getMessage(), e);
    }
  }
}
