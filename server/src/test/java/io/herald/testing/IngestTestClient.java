package io.herald.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A publisher on Herald's TCP ingest port, as a test sees it: send raw bytes or lines, read the
 * reply lines. Reads block with a socket timeout, so a missing reply fails the test instead of
 * hanging it.
 */
public final class IngestTestClient implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final BufferedReader in;

  public IngestTestClient(int port) throws IOException {
    this(connect(port));
  }

  private IngestTestClient(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(10_000);
    out = socket.getOutputStream();
    in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return socket;
  }

  /**
   * Waits up to {@code timeout} for each reply instead of 10 s: for tests that load the server's
   * event loops on purpose (a reconnect storm under the paranoid leak detector).
   */
  public IngestTestClient replyTimeout(java.time.Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    return this;
  }

  /** A client on a socket the test already opened (and closes). */
  public static IngestTestClient over(Socket socket) throws IOException {
    return new IngestTestClient(socket);
  }

  public IngestTestClient send(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
    return this;
  }

  public IngestTestClient sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  public IngestTestClient line(String json) throws IOException {
    return send(json + "\n");
  }

  /**
   * Sends {@code lines} from another thread while this one reads their {@code n} replies: a
   * publisher that wrote everything before reading would deadlock against Herald's backpressure
   * once the replies fill the socket buffers, exactly as a real one would.
   */
  public List<String> pipeline(String lines, int n) throws IOException {
    java.util.concurrent.CompletableFuture<Void> sent =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> {
              try {
                send(lines);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    List<String> replies = replies(n);
    sent.join();
    return replies;
  }

  /** The next reply line; fails after 10 s (or the {@link #replyTimeout}) without one. */
  public String reply() throws IOException {
    String line = in.readLine();
    if (line == null) {
      throw new IOException("ingest connection closed before a reply");
    }
    return line;
  }

  public List<String> replies(int n) throws IOException {
    List<String> lines = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      lines.add(reply());
    }
    return lines;
  }

  /** Publishes one event and returns its id, failing on an error reply. */
  public String publish(String topic, String dataJson) throws IOException {
    line("{\"topic\":\"" + topic + "\",\"data\":" + dataJson + "}");
    String reply = reply();
    if (!reply.startsWith("{\"id\":\"")) {
      throw new AssertionError("publish refused: " + reply);
    }
    return idOf(reply);
  }
  /** Publishes the numbers {@code from..to} (inclusive) as data to {@code topic}; their ids, in order. */
  public java.util.List<String> publishNumbers(String topic, int from, int to) throws IOException {
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (int i = from; i <= to; i++) {
      ids.add(publish(topic, String.valueOf(i)));
    }
    return ids;
  }


  /** The id in a {@code {"id":"…"}} reply. */
  public static String idOf(String reply) {
    return reply.substring("{\"id\":\"".length(), reply.length() - 2);
  }

  /** Reads until the server closes the connection; returns what arrived meanwhile. */
  public List<String> readUntilClosed() throws IOException {
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = in.readLine()) != null) {
      lines.add(line);
    }
    return lines;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
