package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.sse.DisconnectReason;
import io.herald.testing.H2TestClient;
import io.herald.testing.Http;
import io.herald.testing.RawH2;
import io.herald.testing.SseTestClient;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --header-timeout}: Slowloris connections are closed, working ones are not. */
class HeaderTimeoutTest extends HeraldTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Duration TIMEOUT = Duration.ofMillis(300);

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", herald.httpPort()), 5000);
    socket.setSoTimeout((int) WAIT.toMillis()); // a read that times out fails the test
    return socket;
  }

  /** Reads until the server closes the connection; returns what it sent. */
  private static String readUntilClosed(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = in.read(buf)) != -1; ) {
        got.write(buf, 0, n);
      }
    } catch (SocketException reset) {
      // a reset is a close too
    }
    return got.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void aConnectionThatSendsHalfARequestLineIsClosed() throws Exception {
    start(b -> b.headerTimeout(TIMEOUT));
    try (Socket socket = connect()) {
      socket.getOutputStream().write("GET /events?topic=t HT".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      assertEquals("", readUntilClosed(socket), "closed without an answer");
    }
    Conditions.await(() -> herald.server().stats().httpConnections() == 0, WAIT, "the place freed");
  }

  @Test
  void aConnectionThatSendsHeadersWithoutTheirEndIsClosed() throws Exception {
    start(b -> b.headerTimeout(TIMEOUT));
    try (Socket socket = connect()) {
      socket.getOutputStream().write(
          "GET /events?topic=t HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: 1\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      assertEquals("", readUntilClosed(socket));
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosed() throws Exception {
    start(b -> b.headerTimeout(TIMEOUT));
    try (Socket socket = connect()) {
      assertEquals("", readUntilClosed(socket));
    }
  }

  @Test
  void closesByTheHeaderTimeoutAreCountedAsHeaderTimeoutDisconnectsInStatsAndMetrics()
      throws Exception {
    start(b -> b.headerTimeout(TIMEOUT));
    try (Socket silent = connect(); Socket slow = connect()) {
      slow.getOutputStream().write("GET /events?topic=t HT".getBytes(StandardCharsets.US_ASCII));
      slow.getOutputStream().flush();
      assertEquals("", readUntilClosed(silent));
      assertEquals("", readUntilClosed(slow));
    }
    Conditions.await(
        () -> herald.server().stats().disconnects(DisconnectReason.HEADER_TIMEOUT) == 2,
        WAIT,
        "two header-timeout disconnects");
    for (DisconnectReason other : DisconnectReason.values()) {
      if (other != DisconnectReason.HEADER_TIMEOUT) {
        assertEquals(0, herald.server().stats().disconnects(other), other.label());
      }
    }
    String metrics = Http.get(herald.adminPort(), "/metrics").body();
    assertTrue(metrics.contains("herald_disconnects_total{reason=\"header-timeout\"} 2.0"), metrics);
  }

  @Test
  void anHttp2ConnectionThatSendsThePrefaceButNoHeadersGetsGoAwayAndIsClosed() throws Exception {
    start(b -> b.headerTimeout(TIMEOUT));
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      RawH2.preface(out);
      // Pings keep it busy but open no stream: they do not stop the clock.
      RawH2.frame(out, RawH2.PING, 0, 0, new byte[8]);
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      RawH2.Frame goAway = RawH2.readUntil(in, RawH2.GOAWAY, 0);
      assertTrue(goAway != null, "a GOAWAY before the close");
      assertEquals(0, goAway.errorCode(), "NO_ERROR");
      assertEquals(
          "header-timeout",
          new String(goAway.payload(), 8, goAway.payload().length - 8, StandardCharsets.US_ASCII));
      assertEquals(null, RawH2.read(in), "then the connection is closed");
    }
    Conditions.await(() -> herald.server().stats().httpConnections() == 0, WAIT, "the place freed");
    assertEquals(1, herald.server().stats().disconnects(DisconnectReason.HEADER_TIMEOUT));
  }

  @Test
  void anHttp2ConnectionWhoseStreamsHaveEndedIsClosedAfterTheTimeoutLikeAnIdleKeepAlive()
      throws Exception {
    start(b -> b.headerTimeout(TIMEOUT));
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      RawH2.preface(out);
      RawH2.frame(out, RawH2.HEADERS, RawH2.END_STREAM | RawH2.END_HEADERS, 1, RawH2.getRequest("/nowhere"));
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      assertEquals("404", RawH2.answer(in, 1));
      RawH2.Frame goAway = RawH2.readUntil(in, RawH2.GOAWAY, 0);
      assertTrue(goAway != null, "a GOAWAY once idle past the timeout");
      assertEquals(0, goAway.errorCode(), "NO_ERROR");
      assertEquals(null, RawH2.read(in), "then the connection is closed");
    }
    assertEquals(1, herald.server().stats().disconnects(DisconnectReason.HEADER_TIMEOUT));
  }

  @Test
  void anAnsweredKeepAliveConnectionIsClosedWhenNoNextRequestComes() throws Exception {
    start(b -> b.headerTimeout(TIMEOUT));
    try (Socket socket = connect()) {
      socket.getOutputStream().write(
          "GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String answer = readUntilClosed(socket);
      assertTrue(answer.startsWith("HTTP/1.1 404 "), answer);
    }
  }

  @Test
  void aStreamOutlivesTheTimeoutOnHttp1AndHttp2() throws Exception {
    start(b -> b.headerTimeout(TIMEOUT).heartbeat(Duration.ofMillis(200)));
    try (SseTestClient client = SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of());
        H2TestClient h2 = H2TestClient.connect(herald.httpPort())) {
      H2TestClient.Stream stream = h2.get("/events?topic=t", Map.of());
      // Three heartbeats (600 ms and more) are past the 300 ms header deadline.
      for (int i = 0; i < 3; i++) {
        client.awaitComment(c -> c.contains("ping"), WAIT);
      }
      h2.await(() -> stream.body().split("ping", -1).length > 3, WAIT, "three HTTP/2 heartbeats");
      assertFalse(client.isClosed());
      assertTrue(h2.isOpen());
      assertFalse(stream.isEnded());
    }
  }
}
