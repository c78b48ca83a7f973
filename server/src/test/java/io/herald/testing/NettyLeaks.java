package io.herald.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a leaked Netty buffer fail the test suite. Netty only logs leaks, and tests ignore logs;
 * so before any buffer class exists ({@link NettyLeakListener} runs at JVM start), this installs
 * a leak detector factory whose detectors record every report, and {@link #check()} turns the
 * records into a failure.
 */
public final class NettyLeaks {
  private static final List<String> LEAKS = new ArrayList<>();
  private static volatile boolean installed;

  private NettyLeaks() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
  }

  /**
   * Collects garbage, lets the detectors look at what was collected, and fails with every leak
   * found since the last check. Detectors report collected-but-unreleased buffers when a new
   * tracked buffer is created, hence the allocations after each collection (a bounded number).
   */
  public static void check() {
    for (int round = 0; round < 5; round++) {
      System.gc();
      System.runFinalization();
      for (ByteBufAllocator alloc :
          new ByteBufAllocator[] {
            ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT
          }) {
        for (int i = 0; i < 64; i++) {
          ByteBuf probe = alloc.directBuffer(1);
          probe.release();
          ByteBuf heap = alloc.heapBuffer(1);
          heap.release();
        }
      }
    }
    List<String> found = drain();
    if (!found.isEmpty()) {
      throw new AssertionError(
          found.size() + " Netty buffer leak(s) reported:\n" + String.join("\n---\n", found));
    }
  }

  /** The leak reports recorded since the last call, cleared. */
  public static synchronized List<String> drain() {
    List<String> copy = new ArrayList<>(LEAKS);
    LEAKS.clear();
    return copy;
  }

  private static synchronized void record(String report) {
    LEAKS.add(report);
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval, long maxActive) {
      return new RecordingDetector<>(resource, samplingInterval);
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
    RecordingDetector(Class<T> resource, int samplingInterval) {
      super(resource, samplingInterval);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      record(resourceType + " leaked:" + records);
      super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      record(resourceType + " leaked (no records at this detection level)");
      super.reportUntracedLeak(resourceType);
    }
  }
}
