package io.herald.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongFunction;

/**
 * A scripted stand-in for Herald that misbehaves on purpose, to prove herald-load notices: an
 * ingest port that acknowledges every line, and an SSE port whose streams receive, for the k-th
 * published line, whatever {@code script} says (nothing, the event twice, an older one…),
 * optionally after a fixed delay. The index {@link #CLOSE_ALL} ends every open stream (a {@code
 * retry:} then the close, as Herald's shutdown does); a stream that comes back with {@code
 * Last-Event-ID: k} first gets every line after k.
 */
final class FakeSseServer implements AutoCloseable {
  /** In a script's answer: end every open stream, as a server going away does. */
  static final long CLOSE_ALL = -1;

  private final ServerSocket ingest;
  private final ServerSocket sse;
  private final List<OutputStream> streams = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final LongFunction<long[]> script;
  private final long delayMillis;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  /**
   * @param script for published line k (1-based), the sequence numbers (line indexes) to send
   */
  FakeSseServer(LongFunction<long[]> script, long delayMillis) throws IOException {
    this.script = script;
    this.delayMillis = delayMillis;
    InetAddress any = InetAddress.getByName("0.0.0.0");
    ingest = new ServerSocket(0, 50, any);
    sse = new ServerSocket(0, 1000, any);
    daemon(this::acceptStreams);
    daemon(this::acceptIngest);
  }

  private static void daemon(Runnable task) {
    Thread thread = new Thread(task, "fake-sse-server");
    thread.setDaemon(true);
    thread.start();
  }

  int ssePort() {
    return sse.getLocalPort();
  }

  int ingestPort() {
    return ingest.getLocalPort();
  }

  private void acceptStreams() {
    try {
      while (true) {
        Socket socket = sse.accept();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        String line;
        long lastEventId = 0;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
          if (line.toLowerCase(java.util.Locale.ROOT).startsWith("last-event-id:")) {
            lastEventId = Long.parseLong(line.substring("last-event-id:".length()).trim());
          }
        }
        OutputStream out = socket.getOutputStream();
        synchronized (streams) { // no line is sent to all while this one catches up
          out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                  + "retry: 3000\n: fake\n\n").getBytes(StandardCharsets.US_ASCII));
          for (long index = lastEventId + 1; lastEventId > 0 && index <= lines.size(); index++) {
            out.write(event(index));
          }
          out.flush();
          sockets.add(socket);
          streams.add(out);
        }
      }
    } catch (IOException closed) {
      // the test is over
    }
  }

  private void acceptIngest() {
    try {
      while (true) {
        Socket socket = ingest.accept();
        daemon(() -> serveIngest(socket));
      }
    } catch (IOException closed) {
      // the test is over
    }
  }

  private void serveIngest(Socket socket) {
    try (socket) {
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      OutputStream acks = socket.getOutputStream();
      String line;
      long k = 0;
      while ((line = in.readLine()) != null) {
        lines.add(line);
        k++;
        acks.write(("{\"id\":\"" + k + "-0\"}\n").getBytes(StandardCharsets.US_ASCII));
        acks.flush();
        for (long index : script.apply(k)) {
          if (index == CLOSE_ALL) {
            closeAll();
          } else {
            send(index);
          }
        }
      }
    } catch (IOException | InterruptedException done) {
      // the publisher finished
    }
  }

  /** Sends the data of published line {@code index} (1-based) to every stream. */
  private void send(long index) throws IOException, InterruptedException {
    if (delayMillis > 0) {
      Thread.sleep(delayMillis); // the server under test is slow on purpose; this is its delay
    }
    byte[] event = event(index);
    synchronized (streams) {
      for (OutputStream out : streams) {
        out.write(event);
        out.flush();
      }
    }
  }

  private byte[] event(long index) {
    String line = lines.get((int) index - 1);
    String data = line.substring(line.indexOf("\"data\":") + 7, line.length() - 1);
    return ("id: " + index + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Ends every open stream: a short {@code retry:}, then the connection closes. */
  private void closeAll() throws IOException {
    synchronized (streams) {
      for (OutputStream out : streams) {
        out.write("retry: 50\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      for (Socket socket : sockets) {
        socket.close();
      }
      streams.clear();
      sockets.clear();
    }
  }

  @Override
  public void close() throws IOException {
    ingest.close();
    sse.close();
  }
}
