package io.herald.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class OpenFileLimitTest {
  @Test
  void socketsThatFitUnderTheLimitWithTheSpareArePassed() {
    assertNull(OpenFileLimit.problem("x", 1000 - 100 - OpenFileLimit.SPARE, 100, 1000));
    assertNull(OpenFileLimit.problem("x", 1_000_000, 100, -1), "unknown limit: nothing to check");
  }

  @Test
  void oneSocketTooManyIsRefusedWithTheNumbers() {
    String problem = OpenFileLimit.problem("--connections 5000", 1000 - 100 - OpenFileLimit.SPARE + 1, 100, 1000);
    assertTrue(problem.contains("--connections 5000"), problem);
    assertTrue(problem.contains("open-file limit is 1000"), problem);
    assertTrue(problem.contains("ulimit -n"), problem);
  }

  @Test
  void theLimitOfThisProcessIsKnownOnLinux() {
    assertTrue(OpenFileLimit.max() > 0);
    assertTrue(OpenFileLimit.open() > 0);
  }

  @Test
  void moreConnectionsThanTheLimitFailAtOnceWithExitCode3() {
    StringWriter err = new StringWriter();
    long tooMany = OpenFileLimit.max() + 1;
    int exit =
        new CommandLine(new HeraldLoad())
            .setErr(new PrintWriter(err, true))
            .execute("--connections", String.valueOf(tooMany), "--url", "http://127.0.0.1:1/events");
    assertEquals(3, exit, err.toString());
    assertTrue(err.toString().contains("open-file limit"), err.toString());
  }
}
