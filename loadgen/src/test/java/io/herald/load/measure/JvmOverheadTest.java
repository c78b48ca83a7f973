package io.herald.load.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.load.measure.JvmOverhead.Kind;
import org.junit.jupiter.api.Test;

/** The tool's CPU is split by thread names as /proc shows them (15 characters at most). */
class JvmOverheadTest {
  @Test
  void threadsAreToldApartByTheirProcNames() {
    assertEquals(Kind.EVENT_LOOPS, JvmOverhead.kind("herald-load-io-"));
    assertEquals(Kind.JIT, JvmOverhead.kind("C2 CompilerThre"));
    assertEquals(Kind.JIT, JvmOverhead.kind("C1 CompilerThre"));
    assertEquals(Kind.GC, JvmOverhead.kind("GC Thread#1"));
    assertEquals(Kind.GC, JvmOverhead.kind("VM Thread"));
    assertEquals(Kind.OTHER, JvmOverhead.kind("herald-load-pub"));
  }

  @Test
  void countsTheCpuOfThisProcessSinceItWasMade() {
    JvmOverhead split = new JvmOverhead();
    long x = 0;
    for (long i = 0; i < 50_000_000L; i++) {
      x += i ^ (x >>> 3);
    }
    assertTrue(x != 42);
    // Linux: a figure for every kind (this test's thread is neither a loop, the JIT nor the GC).
    for (Kind kind : Kind.values()) {
      assertTrue(split.seconds(kind) >= 0, kind.toString());
    }
  }
}
