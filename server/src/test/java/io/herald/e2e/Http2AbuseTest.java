package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.testing.H2TestClient;
import io.herald.testing.IngestTestClient;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
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
  private static final int HEADERS = 0x1;
  private static final int SETTINGS = 0x4;
  private static final int RST_STREAM = 0x3;
  private static final int PING = 0x6;
  private static final int GOAWAY = 0x7;
  private static final int CONTINUATION = 0x9;

  private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload)
      throws IOException {
    out.write(new byte[] {
      (byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
      (byte) type, (byte) flags,
      (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream
    });
    out.write(payload);
  }

  /** Reads frames until a GOAWAY (its error code) or the end of the connection (-1). */
  private static long readUntilGoAway(Socket socket) throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    try {
      while (true) {
        int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        in.readUnsignedByte(); // flags
        in.readInt(); // stream
        byte[] payload = in.readNBytes(length);
        if (type == GOAWAY) {
          return ((payload[4] & 0xffL) << 24) | ((payload[5] & 0xff) << 16) | ((payload[6] & 0xff) << 8) | (payload[7] & 0xff);
        }
      }
    } catch (EOFException | SocketException closed) {
      return -1;
    }
  }

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
      frames.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      frame(frames, SETTINGS, 0, 0, new byte[0]);
      flood.write(frames);
      OutputStream out = attacker.getOutputStream();
      out.write(frames.toByteArray());
      out.flush();
      assertEquals(0xb, readUntilGoAway(attacker), "GOAWAY ENHANCE_YOUR_CALM");

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
          // HPACK: :method GET, :scheme http (indexed), :path a literal with an indexed name.
          byte[] path = "/events?topic=flood".getBytes(StandardCharsets.US_ASCII);
          ByteArrayOutputStream block = new ByteArrayOutputStream();
          block.write(new byte[] {(byte) 0x82, (byte) 0x86, 0x04, (byte) path.length});
          block.write(path);
          byte[] get = block.toByteArray();
          byte[] cancel = {0, 0, 0, 0x8};
          for (int stream = 1; stream < 2 * 1000; stream += 2) {
            frame(frames, HEADERS, 0x1 | 0x4 /* END_STREAM | END_HEADERS */, stream, get);
            frame(frames, RST_STREAM, 0, stream, cancel);
          }
        });
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
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream settings = new ByteArrayOutputStream();
        frame(settings, SETTINGS, 0, 0, new byte[0]);
        out.write(settings.toByteArray());
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
    try (H2TestClient client = H2TestClient.connect(herald.httpPort());
        IngestTestClient ingest = new IngestTestClient(herald.ingestPort())) {
      H2TestClient.Stream stream = client.get("/events?topic=s", Map.of());
      client.await(() -> stream.body().contains(": herald"), WAIT, "the stream");
      client.stopReading();
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < 3000; i++) {
        lines.append("{\"topic\":\"s\",\"data\":").append(payload).append("}\n");
      }
      ingest.pipeline(lines.toString(), 3000); // ~12 MB: more than the kernel buffers hold
      Conditions.await(
          () -> herald.server().stats().httpConnections() == 0,
          WAIT,
          "the stalled HTTP/2 connection to be closed");
      assertEquals(0, herald.server().stats().streams());
    }
  }
}
