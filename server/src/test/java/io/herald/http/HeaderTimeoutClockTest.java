package io.herald.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When {@link HeaderTimeout}'s clock runs: from the connection's start and from each complete
 * answer until the next request head, never while a request is being answered. (Over real
 * sockets: {@code e2e.HeaderTimeoutTest}.)
 */
class HeaderTimeoutClockTest {
  private static final long TIMEOUT_MS = 1000;

  private final EmbeddedChannel channel = new EmbeddedChannel();

  HeaderTimeoutClockTest() {
    // Only advanceTimeBy moves this clock: however long the test itself takes, nothing is late.
    channel.freezeTime();
    channel.pipeline().addLast(new HeaderTimeout(TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS), null));
  }

  @AfterEach
  void release() {
    channel.finishAndReleaseAll();
  }

  /**
   * Time passes and the loop runs what is due. (The close, once due, waits for one more round of
   * a real loop; with the clock frozen, the embedded loop runs that round in the same call.)
   */
  private void pass(long millis) {
    channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
  }

  private void requestHead() {
    channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/publish"));
    channel.releaseInbound();
  }

  private void answer() {
    channel.writeOutbound(
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER));
    channel.releaseOutbound();
  }

  @Test
  void aConnectionWithoutARequestHeadIsClosedAfterTheTimeout() {
    pass(TIMEOUT_MS - 1);
    assertTrue(channel.isOpen());
    pass(1);
    assertFalse(channel.isOpen());
  }

  @Test
  void aRequestBeingAnsweredStopsTheClockForAsLongAsItTakes() {
    pass(TIMEOUT_MS / 2);
    requestHead();
    pass(TIMEOUT_MS * 5);
    assertTrue(channel.isOpen(), "the answer is not complete: nothing to time out");
  }

  @Test
  void eachCompleteAnswerRestartsTheClockForTheNextRequest() {
    for (int i = 0; i < 5; i++) {
      pass(TIMEOUT_MS * 3 / 4);
      requestHead();
      pass(TIMEOUT_MS / 10);
      answer();
    }
    assertTrue(channel.isOpen(), "every request came within the timeout of the last answer");
    pass(TIMEOUT_MS - 1);
    assertTrue(channel.isOpen());
    pass(1);
    assertFalse(channel.isOpen(), "no next request within the timeout of the last answer");
  }

  @Test
  void pipelinedRequestsKeepTheClockStoppedUntilTheLastIsAnswered() {
    requestHead();
    requestHead();
    answer();
    pass(TIMEOUT_MS * 2);
    assertTrue(channel.isOpen(), "one request still unanswered");
    answer();
    pass(TIMEOUT_MS);
    assertFalse(channel.isOpen());
  }
}
