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
 * {@code {"error":…}}) are read on a second thread.
 */
public final class IngestTransport implements Publisher.Transport {
  private final Socket socket = new Socket();
  private final Writer out;
  private final Thread reader;

  public IngestTransport(String host, int port, Publisher publisher) throws IOException {
    socket.connect(new InetSocketAddress(host, port), 5000);
    socket.setTcpNoDelay(true);
    out = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8), 1 << 16);
    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
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
