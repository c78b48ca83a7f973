package io.herald.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IngestLineDecoderTest {
  private final EmbeddedChannel channel = new EmbeddedChannel(new IngestLineDecoder(16));

  @AfterEach
  void finish() {
    channel.finishAndReleaseAll();
  }

  private void write(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
  }

  private List<IngestLine> lines() {
    List<IngestLine> lines = new ArrayList<>();
    IngestLine line;
    while ((line = channel.readInbound()) != null) {
      lines.add(line);
    }
    return lines;
  }

  @Test
  void splitsOnLfAndDropsOneCrBeforeIt() {
    write("a\nb\r\nc\r\r\n");
    assertEquals(
        List.of(IngestLine.of(1, "a"), IngestLine.of(2, "b"), IngestLine.of(3, "c\r")), lines());
  }

  @Test
  void lineSplitByteByByteIsOneLine() {
    for (char c : "{\"x\":1}\n".toCharArray()) {
      write(String.valueOf(c));
    }
    assertEquals(List.of(IngestLine.of(1, "{\"x\":1}")), lines());
  }

  @Test
  void skipsBlankLinesButCountsThem() {
    write("\n  \n\r\nx\n");
    assertEquals(List.of(IngestLine.of(4, "x")), lines());
  }

  @Test
  void discardsOverlongLineWithoutBufferingItAndContinuesWithTheNextLine() {
    write("0123456789"); // 10 bytes, not yet too long
    assertEquals(List.of(), lines());
    write("0123456789"); // 20 bytes: refused now, not kept
    assertEquals(List.of(IngestLine.refused(1, "line is longer than 16 bytes", "01234567890123456789")), lines());
    for (int i = 0; i < 100; i++) {
      write("more bytes of the same long line ");
    }
    assertEquals(List.of(), lines(), "the rest of the long line is dropped as it arrives");
    write("tail\nok\n");
    assertEquals(List.of(IngestLine.of(2, "ok")), lines());
  }

  @Test
  void overlongLineArrivingWholeIsRefusedWithItsNumber() {
    write("short\n" + "x".repeat(40) + "\nafter\n");
    assertEquals(
        List.of(
            IngestLine.of(1, "short"),
            IngestLine.refused(2, "line is longer than 16 bytes", "x".repeat(40)),
            IngestLine.of(3, "after")),
        lines());
  }

  @Test
  void linesDecodeAsSentWhereverTheirFirstNonAsciiCharacterIs() {
    // ASCII lines take a fast path checked eight bytes at a time: a multi-byte character in any
    // of those words, or in the bytes after them, must still be decoded as UTF-8.
    List<IngestLine> expected = new ArrayList<>();
    long number = 0;
    for (int length = 1; length <= 15; length++) { // at most 16 bytes: this decoder's limit
      for (int at = -1; at < length; at++) {
        StringBuilder line = new StringBuilder("x".repeat(length));
        if (at >= 0) {
          line.setCharAt(at, 'é');
        }
        write(line + "\n");
        expected.add(IngestLine.of(++number, line.toString()));
      }
    }
    assertEquals(expected, lines());
  }

  @Test
  void invalidUtf8IsRefusedRatherThanAltered() {
    ByteBuf bad = Unpooled.buffer();
    bad.writeBytes(new byte[] {'a', (byte) 0xC3, (byte) 0x28, '\n'});
    bad.writeBytes("é\n".getBytes(StandardCharsets.UTF_8));
    channel.writeInbound(bad);
    List<IngestLine> lines = lines();
    assertEquals(IngestLine.refused(1, "line is not valid UTF-8"), lines.get(0));
    assertEquals(IngestLine.of(2, "é"), lines.get(1));
  }

  @Test
  void holdsNoMoreThanOneLineOfInputWhileWaitingForItsEnd() {
    write("x".repeat(15));
    IngestLine none = channel.readInbound();
    assertNull(none);
    write("\n");
    assertTrue(lines().get(0).problem() == null);
  }
}
