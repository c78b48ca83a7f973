package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.IngestTestClient;
import io.herald.testing.TestHerald;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How clients reach HTTP/2: TLS with ALPN (what browsers do), the HTTP/1.1 {@code Upgrade: h2c}
 * request, and HTTP/1.1 over TLS for clients that do not offer h2 — all with the JDK's client.
 */
class Http2NegotiationTest {
  private TestHerald herald;

  @BeforeEach
  void start() throws URISyntaxException {
    Path cert = Path.of(getClass().getResource("/tls/cert.pem").toURI());
    Path key = Path.of(getClass().getResource("/tls/key.pem").toURI());
    herald = TestHerald.start(b -> b.httpsPort(0).tlsCert(cert).tlsKey(key));
  }

  @AfterEach
  void stop() {
    herald.close();
  }

  /** The test certificate (for 127.0.0.1) is self-signed: trust it, in this test only. */
  private static SSLContext trustAll() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        null);
    return context;
  }

  private static HttpClient client(HttpClient.Version version) throws Exception {
    return HttpClient.newBuilder()
        .version(version)
        .sslContext(trustAll())
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** Opens the stream, publishes one event, and returns the response once that event arrived. */
  private HttpResponse<InputStream> streamAndReceiveOne(HttpClient client, String url) throws Exception {
    HttpResponse<InputStream> response =
        client
            .sendAsync(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream())
            .get(10, TimeUnit.SECONDS);
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    String line;
    while ((line = lines.readLine()) != null && !line.equals(": herald")) {
      // the opening comment: the stream is registered
    }
    String id;
    try (IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      id = ingest.publish("neg", "\"hello\"");
    }
    assertEquals("", lines.readLine());
    assertEquals("id: " + id, lines.readLine());
    assertEquals("data: hello", lines.readLine());
    response.body().close();
    return response;
  }

  @Test
  void tlsWithAlpnChoosesHttp2() throws Exception {
    HttpResponse<InputStream> response =
        streamAndReceiveOne(
            client(HttpClient.Version.HTTP_2),
            "https://127.0.0.1:" + herald.server().httpsPort() + "/events?topic=neg");
    assertEquals(HttpClient.Version.HTTP_2, response.version());
    assertEquals(200, response.statusCode());
    assertEquals("text/event-stream; charset=utf-8", response.headers().firstValue("content-type").orElse(""));
    assertTrue(response.headers().firstValue("connection").isEmpty(), "no Connection header in HTTP/2");
  }

  @Test
  void tlsWithoutH2FallsBackToHttp11() throws Exception {
    HttpResponse<InputStream> response =
        streamAndReceiveOne(
            client(HttpClient.Version.HTTP_1_1),
            "https://127.0.0.1:" + herald.server().httpsPort() + "/events?topic=neg");
    assertEquals(HttpClient.Version.HTTP_1_1, response.version());
    assertEquals("keep-alive", response.headers().firstValue("connection").orElse(""));
  }

  @Test
  void plaintextUpgradeToH2cServesTheStreamOverHttp2() throws Exception {
    HttpResponse<InputStream> response =
        streamAndReceiveOne(
            client(HttpClient.Version.HTTP_2),
            "http://127.0.0.1:" + herald.httpPort() + "/events?topic=neg");
    assertEquals(HttpClient.Version.HTTP_2, response.version());
    assertEquals(200, response.statusCode());
  }
}
