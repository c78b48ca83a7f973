package io.herald.load.publish;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Events as lines on Herald's TCP ingest port, pipelined; the answers ({@code {"id":…}} or
 * {@code {"error":…}}) are read on a second thread. When Herald runs with {@code
 * --ingest-secret}, the connection first proves it knows the secret: its first line is {@code
 * {"auth":"<secret>"}}, and nothing is published until Herald answered {@code {"ok":true}}.
 */
public final class IngestTransport implements Publisher.Transport {
  private final Socket socket = new Socket();
  private final Writer out;
  private final Thread reader;

  /** Connects without authenticating: Herald's ingest without {@code --ingest-secret}. */
  public IngestTransport(String host, int port, Publisher publisher) throws IOException {
    this(host, port, null, publisher);
  }

  /**
   * Connects, and with a {@code secret} authenticates first: fails (and closes the connection)
   * when Herald does not answer the secret with {@code {"ok":true}} within 5 s.
   */
  public IngestTransport(String host, int port, String secret, Publisher publisher) throws IOException {
    socket.connect(new InetSocketAddress(host, port), 5000);
    socket.setTcpNoDelay(true);
    out = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8), 1 << 16);
    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    if (secret != null) {
      authenticate(secret, in);
    }
    reader =
        new Thread(
            () -> {
              try {
                String line;
                while ((line = in.readLine()) != null) {
                  publisher.answered(line.startsWith("{\"id\":"));
                }
              } catch (IOException closed) {
                // the run is over
              }
            },
            "herald-load-acks");
    reader.setDaemon(true);
    reader.start();
  }

  private void authenticate(String secret, BufferedReader in) throws IOException {
    out.write(authLine(secret));
    out.write('\n');
    out.flush();
    String answer;
    socket.setSoTimeout(5000);
    try {
      answer = in.readLine();
    } catch (java.net.SocketTimeoutException e) {
      answer = null;
    } finally {
      socket.setSoTimeout(0);
    }
    if (answer == null || !answer.replace(" ", "").equals("{\"ok\":true}")) {
      socket.close();
      // Herald's answer names the problem ("wrong ingest secret") and never echoes the secret.
      throw new IOException("the ingest refused the secret: " + (answer == null ? "no answer" : answer));
    }
  }

  /** The first line of an authenticated ingest connection: {@code {"auth":"<secret>"}}, as JSON. */
  static String authLine(String secret) {
    StringBuilder line = new StringBuilder(secret.length() + 12).append("{\"auth\":\"");
    for (int i = 0; i < secret.length(); i++) {
      char c = secret.charAt(i);
      switch (c) {
        case '"' -> line.append("\\\"");
        case '\\' -> line.append("\\\\");
        default -> {
          if (c < 0x20) {
            line.append(String.format("\\u%04x", (int) c));
          } else {
            line.append(c);
          }
        }
      }
    }
    return line.append("\"}").toString();
  }

  @Override
  public void send(String event) throws IOException {
    out.write(event);
    out.write('\n');
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.shutdownOutput();
    try {
      reader.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    socket.close();
  }
}
