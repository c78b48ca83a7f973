package io.herald.load.publish;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Events as HTTP POSTs, one per event, to a URL template ({@code {topic}} is replaced): Herald's
 * {@code POST /publish}, or any other server's publish endpoint. A 2xx answer counts as accepted.
 *
 * <p>Each POST waits for its answer before the next leaves: concurrent requests would reach the
 * server in any order, and the subscribers would see the publisher's reordering as the server's.
 * That caps the rate at one event per round trip (thousands per second on loopback).
 */
public final class HttpPostTransport implements Publisher.Transport {
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final String urlTemplate;
  private final Publisher publisher;

  public HttpPostTransport(String urlTemplate, Publisher publisher) {
    this.urlTemplate = urlTemplate;
    this.publisher = publisher;
  }

  @Override
  public void send(String event) throws java.io.IOException {
    String topic = event.substring("{\"topic\":\"".length(), event.indexOf('"', "{\"topic\":\"".length()));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(urlTemplate.replace("{topic}", topic)))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(event))
            .build();
    try {
      HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
      publisher.answered(response.statusCode() / 100 == 2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while publishing");
    } catch (java.io.IOException e) {
      publisher.answered(false);
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
