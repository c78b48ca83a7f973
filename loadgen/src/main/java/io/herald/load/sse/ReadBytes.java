package io.herald.load.sse;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The bytes of one read as a plain array, and the line-end search the parsers run over them.
 *
 * <p>A read arrives in a direct buffer (the native transports read into off-heap memory); one
 * bulk copy into an array owned by the event loop's thread, then plain array scans, is much
 * cheaper than a bounds-checked {@code getByte} per byte. One array per thread, not per stream: a
 * run holds up to 100,000 streams. Nothing keeps a reference to it past the call that filled it.
 */
final class ReadBytes {
  /** Event-loop threads are {@code FastThreadLocalThread}s: an indexed lookup, not a hash probe. */
  private static final FastThreadLocal<byte[][]> ARRAY =
      new FastThreadLocal<>() {
        @Override
        protected byte[][] initialValue() {
          return new byte[][] {new byte[16384]};
        }
      };

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long LFS = ONES * '\n';
  private static final long CRS = ONES * '\r';

  private ReadBytes() {}

  /**
   * {@code length} bytes of {@code buf} from {@code index} in this thread's array (from its
   * index 0), valid until the thread's next call; the buffer's indexes are left alone.
   */
  static byte[] copy(ByteBuf buf, int index, int length) {
    byte[][] holder = ARRAY.get();
    byte[] array = holder[0];
    if (array.length < length) {
      array = new byte[Math.max(length, array.length * 2)];
      holder[0] = array;
    }
    buf.getBytes(index, array, 0, length);
    return array;
  }

  /**
   * The index of the first {@code '\n'} or {@code '\r'} in {@code bytes[from, end)}, or {@code
   * end}: eight bytes per step (the "has a zero byte" test on the bytes xor'ed with each line end;
   * its lowest set bit is exact, so the first match is found, never a later one).
   */
  static int lineEnd(byte[] bytes, int from, int end) {
    int i = from;
    for (; i + Long.BYTES <= end; i += Long.BYTES) {
      long word = (long) LONGS.get(bytes, i);
      long lf = word ^ LFS;
      long cr = word ^ CRS;
      long found = ((lf - ONES) & ~lf | (cr - ONES) & ~cr) & HIGHS;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < end; i++) {
      if (bytes[i] == '\n' || bytes[i] == '\r') {
        return i;
      }
    }
    return end;
  }
}
