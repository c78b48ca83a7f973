package io.herald.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Whatever a publisher sends to the ingest port, the line decoder yields numbered lines (never
 * longer than the limit, never containing LF) and releases every buffer, and each line either
 * parses into an event or is refused with a {@link BadEventException} — never another exception.
 *
 * <p>In the normal suite this replays the committed seeds under {@code
 * src/test/resources/io/herald/ingest/IngestFuzzTestInputs/}; {@code scripts/fuzz} fuzzes it.
 */
class IngestFuzzTest {
  @FuzzTest
  void anyBytesBecomeLinesThatParseOrAreRefused(FuzzedDataProvider input) {
    int maxLineBytes = input.consumeInt(1, 512);
    int chunks = input.consumeInt(1, 8);
    byte[] bytes = input.consumeRemainingAsBytes();

    EmbeddedChannel channel = new EmbeddedChannel(new IngestLineDecoder(maxLineBytes));
    List<ByteBuf> written = new ArrayList<>();
    try {
      // The same bytes in a few reads, so lines and the CRLF pair straddle buffer boundaries.
      int step = Math.max(1, bytes.length / chunks);
      for (int from = 0; from < bytes.length; from += step) {
        ByteBuf buf = Unpooled.directBuffer(step).writeBytes(bytes, from, Math.min(step, bytes.length - from));
        written.add(buf);
        channel.writeInbound(buf);
      }
      channel.finish();
      long lastNumber = 0;
      for (Object message; (message = channel.readInbound()) != null; ) {
        IngestLine line = (IngestLine) message;
        assertTrue(line.number() > lastNumber, "line numbers increase");
        lastNumber = line.number();
        if (line.problem() != null) {
          continue;
        }
        assertFalse(line.text().contains("\n"), "a line holds no LF");
        assertTrue(line.text().getBytes(StandardCharsets.UTF_8).length <= maxLineBytes, "within the limit");
        try {
          PublishRequest request = EventJsonParser.parseLine(line.text());
          assertTrue(request.topic() != null && request.data() != null);
        } catch (BadEventException refused) {
          // the answer a publisher gets for a bad line
        }
      }
    } finally {
      channel.finishAndReleaseAll();
    }
    for (ByteBuf buf : written) {
      assertEquals(0, buf.refCnt(), "the decoder released what it read");
    }
  }

  @FuzzTest
  void anyTextParsesOrIsRefused(FuzzedDataProvider input) {
    String line = input.consumeRemainingAsString();
    try {
      PublishRequest request = EventJsonParser.parseLine(line);
      assertTrue(request.topic() != null && request.data() != null);
    } catch (BadEventException refused) {
      // fine
    }
    ByteBuf body = Unpooled.copiedBuffer(line, StandardCharsets.UTF_8);
    try {
      EventJsonParser.parseBody(body);
    } catch (BadEventException refused) {
      // fine
    } finally {
      body.release();
    }
  }
}
