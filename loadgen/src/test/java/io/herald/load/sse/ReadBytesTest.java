package io.herald.load.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The line-end search eight bytes at a time finds exactly what a byte-by-byte search finds. */
class ReadBytesTest {
  private static int naive(byte[] bytes, int from, int end) {
    for (int i = from; i < end; i++) {
      if (bytes[i] == '\n' || bytes[i] == '\r') {
        return i;
      }
    }
    return end;
  }

  @Test
  void findsTheFirstLineEndWhereverItIsAndWhateverSurroundsIt() {
    Random random = new Random(4);
    // Bytes next to '\n' and '\r' in value (a borrow in the word test must not make a false match).
    byte[] alphabet = {'\n', '\r', 0, 9, 11, 12, 14, (byte) 0x8a, (byte) 0x8d, (byte) 0xff, 'a', ':'};
    for (int round = 0; round < 20_000; round++) {
      byte[] bytes = new byte[random.nextInt(40)];
      for (int i = 0; i < bytes.length; i++) {
        // Mostly non-line-end bytes, so that matches land at every offset in a word.
        bytes[i] = random.nextInt(6) == 0 ? alphabet[random.nextInt(alphabet.length)] : alphabet[2 + random.nextInt(alphabet.length - 2)];
      }
      int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
      int end = from + random.nextInt(bytes.length - from + 1);
      assertEquals(naive(bytes, from, end), ReadBytes.lineEnd(bytes, from, end), () -> "round with " + bytes.length);
    }
  }

  @Test
  void copiesADirectBufferIntoTheThreadsArrayWithoutMovingItsIndexes() {
    ByteBuf direct = Unpooled.directBuffer(64).writeBytes("xxdata: 1\n".getBytes());
    try {
      byte[] first = ReadBytes.copy(direct, 2, 8);
      assertEquals("data: 1\n", new String(first, 0, 8));
      assertEquals(0, direct.readerIndex());
      assertSame(first, ReadBytes.copy(direct, 0, 2), "one array per thread, reused");
    } finally {
      direct.release();
    }
    ByteBuf large = Unpooled.directBuffer(100_000).writerIndex(100_000);
    try {
      assertTrue(ReadBytes.copy(large, 0, 100_000).length >= 100_000, "grows for a read larger than it");
    } finally {
      large.release();
    }
  }
}
