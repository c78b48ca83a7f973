package io.herald.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * An event-stream client over a plain socket, for end-to-end tests: it sends {@code GET}, reads
 * the response head, then decodes the body (chunked or close-delimited) and parses the stream
 * exactly as the WHATWG standard says a browser does — CR, LF and CRLF line ends, {@code data}
 * lines joined with LF, one leading space after the colon dropped, {@code id} kept across events
 * and reset by an empty one, {@code retry} digits only, comments, a leading BOM dropped, and a
 * partial event at the end discarded.
 *
 * <p>A reader thread parses; tests wait for what they expect with a timeout, and a timeout fails
 * with what did arrive.
 */
public final class SseTestClient implements AutoCloseable {
  /** A dispatched event: its last event id (as the browser would report it), type and data. */
  public record Event(String id, String type, String data) {}

  private final Socket socket;
  private final InputStream in;
  private int status;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private String body = "";

  private final Object lock = new Object();
  private final List<Event> events = new ArrayList<>();
  private final List<String> comments = new ArrayList<>();
  private final List<Integer> retries = new ArrayList<>();
  private int eventCursor;
  private int commentCursor;
  private boolean closed;
  private Throwable failure;

  private SseTestClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new java.io.BufferedInputStream(socket.getInputStream(), 65536);
  }

  public static SseTestClient open(int port, String pathAndQuery, Map<String, String> headers)
      throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(30_000);
    SseTestClient client = new SseTestClient(socket);
    client.sendRequest(pathAndQuery, headers);
    client.readHead();
    client.readRest();
    return client;
  }

  /** After the head: the body in the background for a stream, at once for any other answer. */
  private void readRest() throws IOException {
    if (status == 200) {
      Thread reader = new Thread(this::readBody, "sse-test-client");
      reader.setDaemon(true);
      reader.start();
    } else {
      readWholeBody();
    }
  }

  /** Starts reading a client opened with {@link #openStalled}, as {@link #open} would have. */
  public SseTestClient resume() throws IOException {
    socket.setSoTimeout(30_000);
    readHead();
    readRest();
    return this;
  }

  /**
   * A client that sends its request and then never reads, with a small receive buffer: the
   * server sees it as a stalled reader.
   */
  public static SseTestClient openStalled(int port, String pathAndQuery) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    SseTestClient client = new SseTestClient(socket);
    client.sendRequest(pathAndQuery, Map.of());
    return client;
  }

  private void sendRequest(String pathAndQuery, Map<String, String> extra) throws IOException {
    StringBuilder request = new StringBuilder();
    request.append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n");
    request.append("Host: 127.0.0.1\r\nAccept: text/event-stream\r\n");
    extra.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
    request.append("\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(request.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private void readHead() throws IOException {
    String statusLine = readAsciiLine();
    if (statusLine == null || !statusLine.startsWith("HTTP/1.1 ")) {
      throw new IOException("not an HTTP/1.1 response: " + statusLine);
    }
    status = Integer.parseInt(statusLine.substring(9, 12));
    String line;
    while ((line = readAsciiLine()) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
  }

  private String readAsciiLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  private void readWholeBody() throws IOException {
    String length = header("Content-Length");
    if (length != null) {
      body = new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
    }
  }

  /** The client's own port: the remote port on Herald's side of the connection. */
  public int localPort() {
    return socket.getLocalPort();
  }

  public int status() {
    return status;
  }

  /** A response header, by case-insensitive name, or null. */
  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** The body of a non-200 response. */
  public String body() {
    return body;
  }

  // ---- the body: chunked or close-delimited, then the event stream ----

  private void readBody() {
    Parser parser = new Parser();
    try {
      if ("chunked".equalsIgnoreCase(header("Transfer-Encoding"))) {
        while (true) {
          String sizeLine = readAsciiLine();
          if (sizeLine == null) {
            break;
          }
          int semicolon = sizeLine.indexOf(';');
          int size =
              Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
          if (size == 0) {
            readAsciiLine();
            break;
          }
          byte[] chunk = in.readNBytes(size);
          if (chunk.length < size) {
            break;
          }
          parser.feed(chunk, chunk.length);
          readAsciiLine(); // the CRLF after the chunk data
        }
      } else {
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) != -1) {
          parser.feed(buffer, n);
        }
      }
    } catch (IOException | RuntimeException e) {
      synchronized (lock) {
        if (!socket.isClosed()) {
          failure = e;
        }
      }
    } finally {
      synchronized (lock) {
        closed = true;
        lock.notifyAll();
      }
    }
  }

  /** The WHATWG event-stream interpretation, fed raw bytes in whatever pieces they arrive. */
  private final class Parser {
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean afterCr;
    private boolean first = true;
    private final StringBuilder data = new StringBuilder();
    private String type = "";
    private String lastId = "";

    void feed(byte[] bytes, int length) {
      for (int i = 0; i < length; i++) {
        byte b = bytes[i];
        if (afterCr && b == '\n') {
          afterCr = false;
          continue;
        }
        afterCr = false;
        if (b == '\r' || b == '\n') {
          afterCr = b == '\r';
          processLine(line.toString(StandardCharsets.UTF_8));
          line.reset();
        } else {
          line.write(b);
        }
      }
    }

    private void processLine(String text) {
      if (first) {
        first = false;
        if (text.startsWith("\uFEFF")) {
          text = text.substring(1);
        }
      }
      if (text.isEmpty()) {
        dispatch();
        return;
      }
      if (text.startsWith(":")) {
        synchronized (lock) {
          comments.add(text.substring(1));
          lock.notifyAll();
        }
        return;
      }
      int colon = text.indexOf(':');
      String field = colon < 0 ? text : text.substring(0, colon);
      String value = colon < 0 ? "" : text.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "event" -> type = value;
        case "data" -> data.append(value).append('\n');
        case "id" -> {
          if (value.indexOf('\0') < 0) {
            lastId = value;
          }
        }
        case "retry" -> {
          if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            synchronized (lock) {
              retries.add(Integer.parseInt(value));
              lock.notifyAll();
            }
          }
        }
        default -> {}
      }
    }

    private void dispatch() {
      if (data.length() == 0) {
        type = "";
        return;
      }
      String text = data.substring(0, data.length() - 1);
      Event event = new Event(lastId, type.isEmpty() ? "message" : type, text);
      data.setLength(0);
      type = "";
      synchronized (lock) {
        events.add(event);
        lock.notifyAll();
      }
    }
  }

  // ---- waiting ----

  private interface Check<T> {
    T get();
  }

  private <T> T await(Duration timeout, String what, Check<T> check) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        T result = check.get();
        if (result != null) {
          return result;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || closed) {
          throw new AssertionError(
              (closed ? "stream closed" : "timed out after " + timeout)
                  + " waiting for "
                  + what
                  + "; received "
                  + events.size()
                  + " events (last: "
                  + (events.isEmpty() ? "none" : events.get(events.size() - 1))
                  + "), comments "
                  + comments.size()
                  + ", retries "
                  + retries
                  + (failure == null ? "" : ", reader failed: " + failure));
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  /** The next event not yet returned by an await method. */
  public Event awaitEvent(Duration timeout) throws InterruptedException {
    return awaitEvents(1, timeout).get(0);
  }

  /** The next {@code n} events not yet returned by an await method. */
  public List<Event> awaitEvents(int n, Duration timeout) throws InterruptedException {
    return await(
        timeout,
        n + " more events",
        () -> {
          if (events.size() - eventCursor < n) {
            return null;
          }
          List<Event> next = new ArrayList<>(events.subList(eventCursor, eventCursor + n));
          eventCursor += n;
          return next;
        });
  }

  /** The next comment (text after the colon) matching {@code test}, skipping others. */
  public String awaitComment(Predicate<String> test, Duration timeout) throws InterruptedException {
    return await(
        timeout,
        "a matching comment",
        () -> {
          while (commentCursor < comments.size()) {
            String comment = comments.get(commentCursor++);
            if (test.test(comment)) {
              return comment;
            }
          }
          return null;
        });
  }

  /** The latest {@code retry} value, once there is one. */
  public int awaitRetry(Duration timeout) throws InterruptedException {
    return await(timeout, "a retry field", () -> retries.isEmpty() ? null : retries.get(retries.size() - 1));
  }

  /** Every {@code retry} value received, in order. */
  public List<Integer> retries() {
    synchronized (lock) {
      return List.copyOf(retries);
    }
  }

  /** Waits until the server has ended the stream (clean end or close). */
  public void awaitClosed(Duration timeout) throws InterruptedException {
    await(timeout, "close", () -> closed ? Boolean.TRUE : null);
  }

  public List<Event> eventsSoFar() {
    synchronized (lock) {
      return List.copyOf(events);
    }
  }

  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /**
   * For a stalled client, once the server is known to have cut it off: reads what the kernel
   * still holds until end of stream or a reset, proving the connection is gone. Fails if the
   * server keeps the connection open past the timeout.
   */
  public void awaitServerClose(Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    byte[] buffer = new byte[65536];
    try {
      while (in.read(buffer) != -1) {
        // discard: only the end matters
      }
    } catch (java.net.SocketTimeoutException e) {
      throw new AssertionError("the server did not close the connection within " + timeout);
    } catch (java.net.SocketException e) {
      // connection reset: the server closed with data still unread, which is a close too
    }
  }

  @Override
  public void close() throws IOException {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    socket.close();
  }
}
