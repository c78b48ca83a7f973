package io.herald.load.publish;

import io.herald.load.measure.EventClock;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes through Herald's TCP ingest on a fixed schedule: event k is due at {@code start +
 * k / rate}, and carries that intended time (not the time it was actually sent), so a publisher
 * or server that falls behind shows up as latency instead of hiding it (no coordinated
 * omission). Answers are read on a second thread; refusals are counted.
 */
public final class IngestPublisher {
  private final String host;
  private final int port;
  private final Topics topics;
  private final double rate;
  private final String padding;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final long[] perTopic;

  public IngestPublisher(String host, int port, Topics topics, double rate, int payloadBytes) {
    this.host = host;
    this.port = port;
    this.topics = topics;
    this.rate = rate;
    this.padding = "x".repeat(Math.max(0, payloadBytes - 40));
    this.perTopic = new long[topics.count()];
  }

  /** Publishes for {@code durationNanos}; returns once every answer arrived (or the socket closed). */
  public void run(long durationNanos) throws IOException, InterruptedException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 5000);
      socket.setTcpNoDelay(true);
      Writer out = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8), 1 << 16);
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      Thread reader =
          new Thread(
              () -> {
                try {
                  String line;
                  while ((line = in.readLine()) != null) {
                    if (line.startsWith("{\"id\":")) {
                      acknowledged.incrementAndGet();
                    } else {
                      refused.incrementAndGet();
                    }
                  }
                } catch (IOException closed) {
                  // the run is over
                }
              },
              "herald-load-acks");
      reader.start();
      long periodNanos = (long) (1_000_000_000L / rate);
      long startMicros = EventClock.nowMicros();
      long end = System.nanoTime() + durationNanos;
      StringBuilder line = new StringBuilder(128 + padding.length());
      for (long k = 0; ; k++) {
        long dueMicros = startMicros + k * periodNanos / 1000;
        long dueNanos = EventClock.toNanoTime(dueMicros);
        if (dueNanos > end) {
          break;
        }
        long wait = dueNanos - System.nanoTime();
        if (wait > 0) {
          out.flush(); // everything due so far is on its way before we wait for the next
          LockSupport.parkNanos(wait);
        }
        int topic = topics.topicOf(k);
        long sequence = ++perTopic[topic];
        line.setLength(0);
        line.append("{\"topic\":\"").append(topics.name(topic)).append("\",\"data\":{\"s\":")
            .append(sequence).append(",\"t\":").append(dueMicros).append(",\"p\":\"")
            .append(padding).append("\"}}\n");
        out.write(line.toString());
        sent.incrementAndGet();
      }
      out.flush();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (acknowledged.get() + refused.get() < sent.get() && System.nanoTime() < deadline) {
        LockSupport.parkNanos(1_000_000);
      }
      socket.shutdownOutput();
      reader.join(5000);
    }
  }

  public long sent() {
    return sent.get();
  }

  public long acknowledged() {
    return acknowledged.get();
  }

  public long refused() {
    return refused.get();
  }

  /** Events published to topic {@code index}. */
  public long publishedTo(int index) {
    return perTopic[index];
  }
}
