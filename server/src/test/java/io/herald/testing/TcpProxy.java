package io.herald.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on 127.0.0.1 between a client (a browser) and a server (Herald), so a test can cut
 * the client's connections without stopping the server, and hold the client's reconnections while
 * it does something else. It records the head of every request it forwards (what the client
 * sent up to the first blank line), so a test can see the headers a browser sent. Close it to
 * stop it; one thread per direction per connection, for tests only.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final List<String> requestHeads = new CopyOnWriteArrayList<>();
  private final Object gate = new Object();
  private boolean held;

  private TcpProxy(ServerSocket listener, int target) {
    this.listener = listener;
    this.target = target;
  }

  /** Listens on a free port of 127.0.0.1 and forwards each connection to {@code targetPort}. */
  public static TcpProxy to(int targetPort) throws IOException {
    TcpProxy proxy = new TcpProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), targetPort);
    Thread acceptor = new Thread(proxy::accept, "tcp-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return proxy;
  }

  public int port() {
    return listener.getLocalPort();
  }

  /**
   * Closes every connection open now, and holds new ones (accepted, not forwarded) until {@link
   * #release()}: the client sees its connection cut, then a reconnection that waits.
   */
  public void cutAndHold() {
    synchronized (gate) {
      held = true;
    }
    for (Socket socket : open) {
      closeQuietly(socket);
    }
  }

  /** Forwards the held connections, and new ones from now on. */
  public void release() {
    synchronized (gate) {
      held = false;
      gate.notifyAll();
    }
  }

  /** The head of each request forwarded so far (request line and headers), in order. */
  public List<String> requestHeads() {
    return List.copyOf(requestHeads);
  }

  @Override
  public void close() {
    closeQuietly(listener);
    release();
    open.forEach(TcpProxy::closeQuietly);
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Thread connection = new Thread(() -> forward(client), "tcp-proxy-" + client.getPort());
        connection.setDaemon(true);
        connection.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void forward(Socket client) {
    try {
      synchronized (gate) {
        while (held && !listener.isClosed()) {
          gate.wait();
        }
      }
      Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
      open.add(client);
      open.add(server);
      Thread down = new Thread(() -> pipe(server, client, false), "tcp-proxy-down");
      down.setDaemon(true);
      down.start();
      pipe(client, server, true);
    } catch (IOException e) {
      closeQuietly(client);
    } catch (InterruptedException e) {
      closeQuietly(client);
      Thread.currentThread().interrupt();
    }
  }

  /** Copies until either side closes, then closes both; records request heads going up. */
  private void pipe(Socket from, Socket to, boolean upstream) {
    StringBuilder head = new StringBuilder();
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) != -1) {
        if (upstream) {
          // Each request's head is recorded once complete; HTTP/1.1 requests without a body only.
          head.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
          int end;
          while ((end = head.indexOf("\r\n\r\n")) >= 0) {
            requestHeads.add(head.substring(0, end));
            head.delete(0, end + 4);
          }
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // cut by cutAndHold() or by the other side: close both below
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private static void closeQuietly(java.io.Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
