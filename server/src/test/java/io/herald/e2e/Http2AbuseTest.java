package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.herald.testing.RawH2.*;

import io.herald.testing.H2TestClient;
import io.herald.testing.IngestTestClient;
import io.herald.testing.RawH2;
import io.herald.testing.SseTestClient;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** HTTP/2 clients that misbehave on purpose, against a real Herald. */
class Http2AbuseTest extends HeraldTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  /** Frames of a flood, after the connection preface and an empty SETTINGS. */
  interface Flood {
    void write(ByteArrayOutputStream frames) throws IOException;
  }

  /**
   * Sends {@code flood} on a fresh connection while a legitimate stream is open on another, and
   * checks the attacker gets GOAWAY ENHANCE_YOUR_CALM while the legitimate stream keeps
   * receiving.
   */
  private void floodGetsGoAwayWhileAnotherConnectionKeepsReceiving(Flood flood) throws Exception {
    start();
    try (H2TestClient legit = H2TestClient.connect(herald.httpPort());
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort());
        Socket attacker = new Socket("127.0.0.1", herald.httpPort())) {
      H2TestClient.Stream live = legit.get("/events?topic=live", Map.of());
      legit.await(() -> live.body().contains(": herald"), WAIT, "the legitimate stream");

      attacker.setSoTimeout((int) WAIT.toMillis());
      ByteArrayOutputStream frames = new ByteArrayOutputStream();
      RawH2.preface(frames);
      flood.write(frames);
      OutputStream out = attacker.getOutputStream();
      out.write(frames.toByteArray());
      out.flush();
      assertEquals(
          ENHANCE_YOUR_CALM,
          RawH2.readUntilGoAway(new DataInputStream(attacker.getInputStream())),
          "GOAWAY ENHANCE_YOUR_CALM");

      String id = ingest.publish("live", "\"still here\"");
      legit.await(() -> live.events().size() == 1, WAIT, "the legitimate stream to keep receiving");
      assertEquals(id, live.events().get(0).id());
    }
  }

  @Test
  void continuationFloodGetsGoAwayWhileAnotherConnectionKeepsReceiving() throws Exception {
    floodGetsGoAwayWhileAnotherConnectionKeepsReceiving(
        frames -> {
          // HEADERS without END_HEADERS (:method GET), then one-byte CONTINUATION frames forever.
          frame(frames, HEADERS, 0x1 /* END_STREAM */, 1, new byte[] {(byte) 0x82});
          for (int i = 0; i < 5000; i++) {
            frame(frames, CONTINUATION, 0, 1, new byte[] {(byte) 0x86 /* :scheme http */});
          }
        });
  }

  @Test
  void rapidResetFloodGetsGoAwayWhileAnotherConnectionKeepsReceiving() throws Exception {
    floodGetsGoAwayWhileAnotherConnectionKeepsReceiving(
        frames -> {
          // Open an event stream and cancel it at once, again and again (CVE-2023-44487).
          byte[] get = RawH2.getRequest("/events?topic=flood");
          byte[] cancel = {0, 0, 0, 0x8};
          for (int stream = 1; stream < 2 * 1000; stream += 2) {
            frame(frames, HEADERS, END_STREAM | END_HEADERS, stream, get);
            frame(frames, RST_STREAM, 0, stream, cancel);
          }
        });
  }

  @Test
  void provokedResetFloodGetsGoAwayWhileAnotherConnectionKeepsReceiving() throws Exception {
    floodGetsGoAwayWhileAnotherConnectionKeepsReceiving(
        frames -> {
          // CVE-2025-55163 ("MadeYouReset"): the client never resets a stream itself, it sends a
          // frame that obliges Herald to (a WINDOW_UPDATE of 0 is a stream error), and the
          // stream's work goes on unbounded unless Herald limits the resets it sends.
          byte[] get = RawH2.getRequest("/events?topic=flood");
          byte[] zeroIncrement = {0, 0, 0, 0};
          for (int stream = 1; stream < 2 * 1000; stream += 2) {
            frame(frames, HEADERS, END_STREAM | END_HEADERS, stream, get);
            frame(frames, WINDOW_UPDATE, 0, stream, zeroIncrement);
          }
        });
  }

  @Test
  void streamsBeyondTheAdvertisedLimitAreRefused() throws Exception {
    start(b -> b.h2MaxStreams(2));
    try (Socket client = new Socket("127.0.0.1", herald.httpPort())) {
      client.setSoTimeout((int) WAIT.toMillis());
      ByteArrayOutputStream frames = new ByteArrayOutputStream();
      RawH2.preface(frames);
      byte[] get = RawH2.getRequest("/events?topic=many");
      for (int stream = 1; stream <= 5; stream += 2) {
        frame(frames, HEADERS, END_STREAM | END_HEADERS, stream, get);
      }
      client.getOutputStream().write(frames.toByteArray());
      DataInputStream in = new DataInputStream(client.getInputStream());

      RawH2.Frame settings = RawH2.readUntil(in, SETTINGS, 0);
      assertTrue(hasSetting(settings, 0x3 /* MAX_CONCURRENT_STREAMS */, 2), "advertised in SETTINGS");
      RawH2.Frame refused = RawH2.readUntil(in, RST_STREAM, 5);
      assertEquals(0x7, refused.errorCode(), "the third stream: RST_STREAM REFUSED_STREAM");
      assertEquals(2, herald.server().stats().streams(), "the first two streams stay open");
    }
  }

  private static boolean hasSetting(RawH2.Frame settings, int id, long value) {
    byte[] p = settings.payload();
    for (int i = 0; i + 6 <= p.length; i += 6) {
      int key = ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
      long v = ((p[i + 2] & 0xffL) << 24) | ((p[i + 3] & 0xff) << 16) | ((p[i + 4] & 0xff) << 8) | (p[i + 5] & 0xff);
      if (key == id && v == value) {
        return true;
      }
    }
    return false;
  }

  @Test
  void oversizedHeaderBlockIsRejectedAndTheConnectionKeepsServing() throws Exception {
    start();
    try (Socket client = new Socket("127.0.0.1", herald.httpPort())) {
      client.setSoTimeout((int) WAIT.toMillis());
      ByteArrayOutputStream frames = new ByteArrayOutputStream();
      RawH2.preface(frames);
      // 17 KiB of cookie: over the 16 KiB header list Herald advertises (split over HEADERS and
      // CONTINUATION to respect the 16 KiB frame size). Up to 25% over, Netty still decodes the
      // block to keep HPACK in sync, answers 431 and the connection goes on; beyond that it is a
      // connection error (see hugeHeaderBlockEndsTheConnection).
      byte[] huge = RawH2.getRequest("/events?topic=big", "cookie", "c".repeat(17 * 1024));
      frame(frames, HEADERS, END_STREAM, 1, java.util.Arrays.copyOfRange(huge, 0, 16_000));
      frame(frames, CONTINUATION, END_HEADERS, 1, java.util.Arrays.copyOfRange(huge, 16_000, huge.length));
      frame(frames, HEADERS, END_STREAM | END_HEADERS, 3, RawH2.getRequest("/events?topic=small"));
      client.getOutputStream().write(frames.toByteArray());
      DataInputStream in = new DataInputStream(client.getInputStream());

      String answer = RawH2.answer(in, 1);
      assertTrue(
          answer.equals("431") || answer.startsWith("RST_STREAM"),
          "the oversized stream is answered 431 or reset, never served: " + answer);
      Conditions.await(() -> herald.server().stats().streams() == 1, WAIT, "the next stream to be served");
    }
  }

  @Test
  void requestWithoutPathIsResetWithProtocolError() throws Exception {
    start();
    try (Socket client = new Socket("127.0.0.1", herald.httpPort())) {
      client.setSoTimeout((int) WAIT.toMillis());
      ByteArrayOutputStream frames = new ByteArrayOutputStream();
      RawH2.preface(frames);
      byte[] noPath = {(byte) 0x82, (byte) 0x86}; // :method GET, :scheme http
      frame(frames, HEADERS, END_STREAM | END_HEADERS, 1, noPath);
      frame(frames, HEADERS, END_STREAM | END_HEADERS, 3, RawH2.getRequest("/events?topic=after"));
      client.getOutputStream().write(frames.toByteArray());
      DataInputStream in = new DataInputStream(client.getInputStream());
      assertEquals("RST_STREAM 1", RawH2.answer(in, 1), "RST_STREAM PROTOCOL_ERROR");
      Conditions.await(() -> herald.server().stats().streams() == 1, WAIT, "the next stream to be served");
    }
  }

  @Test
  void publishWithTrailersIsPublished() throws Exception {
    start();
    try (Socket client = new Socket("127.0.0.1", herald.httpPort());
        SseTestClient subscriber = SseTestClient.open(herald.httpPort(), "/events?topic=t", Map.of())) {
      client.setSoTimeout((int) WAIT.toMillis());
      ByteArrayOutputStream frames = new ByteArrayOutputStream();
      RawH2.preface(frames);
      frame(frames, HEADERS, END_HEADERS, 1, RawH2.postRequest("/publish", "content-type", "application/json"));
      frame(frames, DATA, 0, 1, "{\"topic\":\"t\",\"data\":\"with trailers\"}".getBytes(StandardCharsets.UTF_8));
      frame(frames, HEADERS, END_STREAM | END_HEADERS, 1, RawH2.fields("x-checksum", "abc"));
      client.getOutputStream().write(frames.toByteArray());
      DataInputStream in = new DataInputStream(client.getInputStream());
      assertEquals("200", RawH2.answer(in, 1));
      assertEquals("with trailers", subscriber.awaitEvent(WAIT).data());
    }
  }

  @Test
  void hugeHeaderBlockEndsTheConnection() throws Exception {
    start();
    try (Socket client = new Socket("127.0.0.1", herald.httpPort())) {
      client.setSoTimeout((int) WAIT.toMillis());
      ByteArrayOutputStream frames = new ByteArrayOutputStream();
      RawH2.preface(frames);
      byte[] huge = RawH2.getRequest("/events?topic=big", "cookie", "c".repeat(32 * 1024));
      frame(frames, HEADERS, END_STREAM, 1, java.util.Arrays.copyOfRange(huge, 0, 16_000));
      frame(frames, CONTINUATION, 0, 1, java.util.Arrays.copyOfRange(huge, 16_000, 32_000));
      frame(frames, CONTINUATION, END_HEADERS, 1, java.util.Arrays.copyOfRange(huge, 32_000, huge.length));
      client.getOutputStream().write(frames.toByteArray());
      long code = RawH2.readUntilGoAway(new DataInputStream(client.getInputStream()));
      assertEquals(0x1, code, "GOAWAY PROTOCOL_ERROR");
      assertEquals(0, herald.server().stats().streams());
    }
  }

  /**
   * Floods frames that each oblige Herald to answer (PING, SETTINGS) from a client that never
   * reads the answers: once the socket buffers are full the answers queue up in Herald, and past
   * the queued-control-frame limit it must cut the connection — while a legitimate stream on
   * another connection keeps receiving.
   */
  private void controlFrameFloodIsCutOff(int type, byte[] payload) throws Exception {
    start();
    try (H2TestClient legit = H2TestClient.connect(herald.httpPort());
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort());
        Socket attacker = new Socket()) {
      H2TestClient.Stream live = legit.get("/events?topic=live", Map.of());
      legit.await(() -> live.body().contains(": herald"), WAIT, "the legitimate stream");
      attacker.setReceiveBufferSize(4096);
      attacker.connect(new java.net.InetSocketAddress("127.0.0.1", herald.httpPort()));
      attacker.setSoTimeout(60_000);
      ByteArrayOutputStream frames = new ByteArrayOutputStream();
      for (int i = 0; i < 10_000; i++) {
        frame(frames, type, 0, 0, payload);
      }
      byte[] flood = frames.toByteArray();
      OutputStream out = attacker.getOutputStream();
      try {
        RawH2.preface(out);
        for (int i = 0; i < 40; i++) { // 400,000 frames whose answers are never read
          out.write(flood);
        }
        out.flush();
      } catch (SocketException closedWhileSending) {
        // Herald may already have cut the connection: the expected outcome too
      }
      // Generous: under PARANOID leak detection Herald reads the 400,000 frames slowly.
      Conditions.await(
          () -> herald.server().stats().httpConnections() == 1,
          Duration.ofSeconds(60),
          "the flooding connection to be closed");
      // Its GOAWAY waits behind megabytes of answers the attacker never reads, so the proof is
      // on Herald's side: the connection is gone, and the legitimate one is not.

      String id = ingest.publish("live", "\"still here\"");
      legit.await(() -> live.events().size() == 1, WAIT, "the legitimate stream to keep receiving");
      assertEquals(id, live.events().get(0).id());
    }
  }

  @Test
  void pingFloodFromAClientThatDoesNotReadIsCutOff() throws Exception {
    controlFrameFloodIsCutOff(PING, new byte[8]);
  }

  @Test
  void settingsFloodFromAClientThatDoesNotReadIsCutOff() throws Exception {
    controlFrameFloodIsCutOff(SETTINGS, new byte[0]);
  }

  @Test
  void connectionThatStopsReadingIsClosedAfterTheStallTimeout() throws Exception {
    start(b -> b.stallTimeout(Duration.ofMillis(300)).queueEvents(1_000_000).queueBytes(256L << 20));
    String payload = "\"" + "z".repeat(4000) + "\"";
    // Windows larger than everything sent: no flow control stops Herald, only the socket does
    // once the client stops reading — the whole connection stalls, not one stream.
    try (H2TestClient client = H2TestClient.connect(herald.httpPort(), 64 << 20);
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      H2TestClient.Stream stream = client.get("/events?topic=s", Map.of());
      client.await(() -> stream.body().contains(": herald"), WAIT, "the stream");
      client.stopReading();
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < 8000; i++) {
        lines.append("{\"topic\":\"s\",\"data\":").append(payload).append("}\n");
      }
      ingest.pipeline(lines.toString(), 8000); // ~32 MB: more than the kernel buffers hold
      Conditions.await(
          () -> herald.server().stats().httpConnections() == 0,
          WAIT,
          "the stalled HTTP/2 connection to be closed");
      assertEquals(0, herald.server().stats().streams());
    }
  }
}
