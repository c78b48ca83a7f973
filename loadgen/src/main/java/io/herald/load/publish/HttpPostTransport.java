package io.herald.load.publish;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Events as HTTP POSTs, one per event, to a URL template ({@code {topic}} is replaced): Herald's
 * {@code POST /publish}, or any other server's publish endpoint. A 2xx answer counts as accepted.
 *
 * <p>Each POST waits for its answer before the next leaves its lane: concurrent requests would
 * reach the server in any order, and the subscribers would see the publisher's reordering as the
 * server's. One lane caps the rate at one event per round trip (a few thousand per second on
 * loopback), so with several topics (per-user) there may be several lanes, each a connection of
 * its own with a fixed share of the topics: a topic's events still go one after another.
 */
public final class HttpPostTransport implements Publisher.Transport {
  /** Events a lane may have waiting before the schedule waits for it. */
  private static final int LANE_QUEUE = 100_000;
  private static final Post STOP = new Post(null, 0, 0);

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final String urlTemplate;
  private final Publisher publisher;
  private final List<Lane> lanes = new ArrayList<>();

  /** One lane: every POST waits for the one before it. */
  public HttpPostTransport(String urlTemplate, Publisher publisher) {
    this(urlTemplate, publisher, 1);
  }

  /** {@code lanes} connections, topic {@code i} always on lane {@code i % lanes}. */
  public HttpPostTransport(String urlTemplate, Publisher publisher, int lanes) {
    if (lanes < 1) {
      throw new IllegalArgumentException("lanes: " + lanes + " (expected: >= 1)");
    }
    this.urlTemplate = urlTemplate;
    this.publisher = publisher;
    if (lanes > 1) {
      for (int i = 0; i < lanes; i++) {
        Lane lane = new Lane(i);
        this.lanes.add(lane);
        lane.thread.start();
      }
    }
  }

  private record Post(String event, int topic, long sequence) {}

  @Override
  public boolean answersInOrder() {
    return lanes.isEmpty();
  }

  @Override
  public void send(String event) throws IOException {
    answered(post(event));
  }

  @Override
  public void send(String event, int topic, long sequence) throws IOException {
    if (lanes.isEmpty()) {
      send(event);
      return;
    }
    try {
      lanes.get(topic % lanes.size()).queue.put(new Post(event, topic, sequence));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while publishing");
    }
  }

  /** POSTs one event; whether the server accepted it. */
  private boolean post(String event) throws InterruptedIOException {
    String topic = event.substring("{\"topic\":\"".length(), event.indexOf('"', "{\"topic\":\"".length()));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(urlTemplate.replace("{topic}", topic)))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(event))
            .build();
    try {
      HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
      return response.statusCode() / 100 == 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while publishing");
    } catch (IOException e) {
      return false;
    }
  }

  private void answered(boolean accepted) {
    publisher.answered(accepted);
  }

  @Override
  public void flush() {}

  @Override
  public void close() throws IOException {
    for (Lane lane : lanes) {
      lane.queue.clear(); // the publisher stopped waiting: what is still queued is never sent
      lane.queue.offer(STOP);
    }
    for (Lane lane : lanes) {
      try {
        lane.thread.join(35_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while closing the publishing lanes");
      }
    }
  }

  /** A thread that sends its topics' events one after another. */
  private final class Lane {
    final BlockingQueue<Post> queue = new ArrayBlockingQueue<>(LANE_QUEUE);
    final Thread thread;

    Lane(int index) {
      thread = new Thread(this::run, "herald-load-post-" + index);
      thread.setDaemon(true);
    }

    private void run() {
      try {
        for (Post post; (post = queue.take()) != STOP; ) {
          publisher.answered(post.topic(), post.sequence(), post(post.event()));
        }
      } catch (InterruptedIOException | InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
