package io.herald.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 between test clients and Herald that breaks the path on command, the
 * way networks do: it adds latency to what Herald sends, cuts every connection after a number of
 * response bytes (so mid-event, not at an event boundary), and half-opens a connection — stops
 * reading from Herald and forwarding anything, without closing either side, as a peer that
 * vanished behind a NAT or a crashed middlebox would look to Herald.
 *
 * <p>Plain sockets, two threads per connection: it carries a handful of test connections, not
 * load. Every socket it opened is closed by {@link #close}.
 */
public final class FaultyProxy implements AutoCloseable {
  private final int targetPort;
  private final ServerSocket listener;
  private final Thread acceptor;
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private volatile long latencyNanos;
  private volatile boolean closed;

  private FaultyProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "faulty-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A proxy in front of {@code 127.0.0.1:targetPort}, forwarding faithfully until told not to. */
  public static FaultyProxy to(int targetPort) throws IOException {
    return new FaultyProxy(targetPort);
  }

  /** The port clients connect to. */
  public int port() {
    return listener.getLocalPort();
  }

  /** Delays every piece of the response by {@code latency} before forwarding it. */
  public FaultyProxy latency(Duration latency) {
    this.latencyNanos = latency.toNanos();
    return this;
  }

  /** The connections opened so far that neither side has closed. */
  public List<Link> openLinks() {
    return links.stream().filter(l -> !l.isClosed()).toList();
  }

  /**
   * Arms every open connection to be cut (both sides closed) once it has forwarded {@code
   * moreBytes} more bytes of the response: the client gets a part of an event, then the end.
   *
   * @return the connections armed
   */
  public List<Link> cutEveryConnectionAfter(long moreBytes) {
    List<Link> armed = openLinks();
    for (Link link : armed) {
      link.cutAfter(moreBytes);
    }
    return armed;
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket upstream = new Socket();
        // A small receive buffer, so that a half-open link backs up into Herald quickly.
        upstream.setReceiveBufferSize(16 * 1024);
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
        Link link = new Link(client, upstream);
        links.add(link);
        link.start();
      } catch (IOException e) {
        if (!closed) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }
  }

  /** One proxied connection: client ⇄ Herald. */
  public final class Link {
    private final Socket client;
    private final Socket upstream;
    private final AtomicLong responseBytes = new AtomicLong();
    private volatile long cutAt = Long.MAX_VALUE;
    private volatile boolean halfOpen;
    private final CountDownLatch upstreamEnded = new CountDownLatch(1);
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private final CountDownLatch drain = new CountDownLatch(1);

    private Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    private void start() {
      Thread up = new Thread(this::pumpRequest, "faulty-proxy-up");
      Thread down = new Thread(this::pumpResponse, "faulty-proxy-down");
      up.setDaemon(true);
      down.setDaemon(true);
      up.start();
      down.start();
    }

    /** Cuts this link once {@code moreBytes} more response bytes have been forwarded. */
    public void cutAfter(long moreBytes) {
      cutAt = responseBytes.get() + moreBytes;
    }

    /**
     * Stops forwarding in both directions without closing anything: Herald's writes back up
     * into its socket, the client hears nothing. Only Herald can end the connection now; {@link
     * #awaitUpstreamClosed} sees it do so.
     */
    public void halfOpen() {
      halfOpen = true;
    }

    /** Response bytes forwarded to the client so far. */
    public long responseBytes() {
      return responseBytes.get();
    }

    public boolean isClosed() {
      return closedLatch.getCount() == 0;
    }

    /**
     * For a half-open link, once Herald says it cut the connection: drains what Herald had
     * buffered and waits for the end of stream (or reset) on the wire. False if Herald still
     * holds the connection open after the timeout.
     */
    public boolean awaitUpstreamClosed(Duration timeout) throws InterruptedException {
      drain.countDown();
      return upstreamEnded.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void pumpRequest() {
      byte[] buffer = new byte[8192];
      try (InputStream in = client.getInputStream();
          OutputStream out = upstream.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) != -1) {
          if (halfOpen) {
            continue; // swallowed: the path is dead
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // either side went away
      } finally {
        if (!halfOpen) {
          closeBoth();
        }
      }
    }

    private void pumpResponse() {
      byte[] buffer = new byte[8192];
      try (InputStream in = upstream.getInputStream();
          OutputStream out = client.getOutputStream()) {
        while (true) {
          if (halfOpen) {
            awaitHerald();
            return;
          }
          int n = in.read(buffer);
          if (n == -1) {
            break;
          }
          if (halfOpen) {
            continue; // lost on the dead path; the loop now waits for Herald
          }
          long delay = latencyNanos;
          if (delay > 0) {
            TimeUnit.NANOSECONDS.sleep(delay); // the injected fault itself, not a synchronisation
          }
          long before = responseBytes.get();
          long allowed = cutAt - before;
          if (allowed <= n) {
            out.write(buffer, 0, (int) Math.max(0, allowed));
            out.flush();
            responseBytes.addAndGet(Math.max(0, allowed));
            break;
          }
          out.write(buffer, 0, n);
          out.flush();
          responseBytes.addAndGet(n);
        }
      } catch (IOException | InterruptedException e) {
        // either side went away
      } finally {
        upstreamEnded.countDown();
        closeBoth();
      }
    }

    /**
     * The half-open state: nothing is read from Herald until the test, having seen Herald give
     * up on the connection, asks through {@link #awaitUpstreamClosed} to see the end on the wire;
     * then what Herald had buffered is drained and discarded until end of stream or reset.
     */
    private void awaitHerald() throws IOException, InterruptedException {
      drain.await();
      InputStream in = upstream.getInputStream();
      byte[] buffer = new byte[65536];
      try {
        while (in.read(buffer) != -1) {
          // discard: only the end matters
        }
      } catch (java.net.SocketException e) {
        // reset: Herald closed with data unread, which is a close too
      }
    }

    private void closeBoth() {
      try {
        client.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      try {
        upstream.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      drain.countDown();
      closedLatch.countDown();
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    for (Link link : links) {
      link.closeBoth();
    }
  }
}
