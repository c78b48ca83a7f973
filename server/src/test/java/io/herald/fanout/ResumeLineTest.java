package io.herald.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The pace of resumed streams' starts, on a clock and a scheduler of the test's own. */
class ResumeLineTest {
  private static final long INTERVAL = 1_000_000; // 1 ms: 1,000 a second on this loop

  private long now = 5_000_000_000L;
  private final ArrayDeque<Runnable> turns = new ArrayDeque<>();
  private final ArrayDeque<Long> delays = new ArrayDeque<>();
  private final List<Integer> started = new ArrayList<>();

  private ResumeLine line(long interval) {
    return new ResumeLine(interval, (task, delay) -> { turns.add(task); delays.add(delay); }, () -> now);
  }

  private void resume(ResumeLine line, int id) {
    line.start(() -> started.add(id), () -> false);
  }

  /** Lets the time the one scheduled turn asked for go by, then runs it. */
  private void turn() {
    assertEquals(1, turns.size(), "one turn is scheduled at a time");
    now += delays.poll();
    turns.poll().run();
  }

  @Test
  void aBurstStartsAtOnceAndTheRestStartOneIntervalApartInArrivalOrder() {
    ResumeLine line = line(INTERVAL);
    int total = ResumeLine.BURST + 3;
    IntStream.range(0, total).forEach(id -> resume(line, id));

    assertEquals(IntStream.range(0, ResumeLine.BURST).boxed().toList(), started);
    assertEquals(3, line.waiting());
    assertEquals(INTERVAL, delays.peek(), "the next turn is when one interval's allowance is back");

    for (int next = ResumeLine.BURST; next < total; next++) {
      turn();
      assertEquals(next, started.get(started.size() - 1));
      assertEquals(next + 1, started.size(), "one more per interval, no more");
    }
    assertEquals(0, line.waiting());
    assertTrue(turns.isEmpty(), "an empty line schedules nothing");
  }

  @Test
  void aTurnThatComesLateStartsWhatTheTimeAllowsAtOnce() {
    ResumeLine line = line(INTERVAL);
    IntStream.range(0, ResumeLine.BURST + 10).forEach(id -> resume(line, id));
    now += 3 * INTERVAL; // the loop was busy: four intervals went by before the turn ran
    turn();
    assertEquals(ResumeLine.BURST + 4, started.size());
    assertEquals(6, line.waiting());
  }

  @Test
  void aResumptionAfterAQuietSpellStartsAtOnce() {
    ResumeLine line = line(INTERVAL);
    IntStream.range(0, ResumeLine.BURST + 1).forEach(id -> resume(line, id));
    turn();
    assertEquals(ResumeLine.BURST + 1, started.size());
    now += ResumeLine.BURST * INTERVAL; // quiet: the whole burst is back
    resume(line, 100);
    assertEquals(100, started.get(started.size() - 1));
    assertTrue(turns.isEmpty());
  }

  @Test
  void aResumptionThatEndedWhileItWaitedIsSkippedAndTakesNothingFromThePace() {
    ResumeLine line = line(INTERVAL);
    IntStream.range(0, ResumeLine.BURST).forEach(id -> resume(line, id));
    boolean[] ended = {false};
    line.start(() -> started.add(-1), () -> ended[0]);
    resume(line, 100);
    ended[0] = true; // its client went away
    turn();
    assertEquals(100, started.get(started.size() - 1), "the next one starts in the skipped one's turn");
    assertTrue(!started.contains(-1));
    assertEquals(0, line.waiting());
  }

  @Test
  void noPaceStartsEveryResumptionAtOnce() {
    ResumeLine line = line(0);
    IntStream.range(0, 10_000).forEach(id -> resume(line, id));
    assertEquals(10_000, started.size());
    assertTrue(turns.isEmpty());
  }

  @Test
  void paceIntervalIsSharedOutOverTheLoopsAndRefusesNonsense() {
    assertEquals(400_000, Pace.intervalNanos(5_000, 2)); // 2,500 a second on each of two loops
    assertEquals(0, Pace.intervalNanos(0, 2));
    assertThrows(IllegalArgumentException.class, () -> Pace.intervalNanos(-1, 2));
    assertThrows(IllegalArgumentException.class, () -> Pace.intervalNanos(100, 0));
    assertThrows(IllegalArgumentException.class, () -> new Pace(1, 0));
  }
}
