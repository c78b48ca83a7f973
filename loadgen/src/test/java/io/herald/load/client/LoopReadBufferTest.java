package io.herald.load.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import org.junit.jupiter.api.Test;

/** Every read of a thread gets the same buffer, emptied; the reader's release gives it back, never frees it. */
class LoopReadBufferTest {
  @Test
  void eachReadGetsTheThreadsOneBufferEmptyAndItsReleaseKeepsItAlive() {
    RecvByteBufAllocator.Handle handle = new LoopReadBuffer().newHandle();
    ByteBuf first = handle.allocate(ByteBufAllocator.DEFAULT);
    assertTrue(first.isDirect());
    assertEquals(LoopReadBuffer.BYTES, first.writableBytes());
    int held = first.refCnt();
    first.writeBytes(new byte[100]).readerIndex(40);
    first.release(); // the handler is done with the read
    assertEquals(held - 1, first.refCnt(), "still held by the loop");

    ByteBuf second = new LoopReadBuffer().newHandle().allocate(ByteBufAllocator.DEFAULT);
    assertSame(first, second, "one buffer per thread, whichever channel reads");
    assertEquals(0, second.readerIndex());
    assertEquals(LoopReadBuffer.BYTES, second.writableBytes(), "emptied for the next read");
    second.release();
    assertEquals(LoopReadBuffer.BYTES, handle.guess());
  }
}
