package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link StackDepthScanTest}'s scans of every acquire and close, run by {@link InterpretedScan} in
 * a child JVM with {@code -Xint}: every call interpreted, so no inlining hides a call and every run
 * meets the same frames, and the stack's end is moved by a word or two at a time. The test's own
 * JVM runs the lock's code mostly compiled, where these windows do not show.
 *
 * <p>Shown to fail on session 16's code: {@code single} hung (a close whose slot CAS succeeded
 * overflowed in the VarHandle calls of {@code RwNode.released}, leaving the handle HELD; the
 * retried close waited for good for it to be marked released), {@code keyed+limit} ("the lock is
 * not free": {@code enterNew}'s {@code active.decrementAndGet()} in a finally overflowed again
 * after an error inside it, and the key limit lost a place for good).
 */
class InterpretedScanTest {

  private static void run(String scan) throws IOException, InterruptedException {
    runChild(InterpretedScan.class, scan, "-Xint", "-XX:+UseSerialGC");
  }

  /**
   * Runs {@code main} with {@code scan} in a child JVM with {@code flags} ({@code -Xint}: its
   * frames keep one size, so a scan's depths are exact; none: a JIT that only this scan has
   * trained): it must end within two minutes with status 0 (it prints each failure and exits 1),
   * and its last line, "inside N", must count at least 10 steps whose error was thrown inside the
   * lock.
   */
  static void runChild(Class<?> main, String scan, String... flags)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElseThrow());
    cmd.addAll(List.of(flags));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName(), scan));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    boolean done = p.waitFor(120, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
      p.waitFor();
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(done, scan + " hangs: " + out);
    assertEquals(0, p.exitValue(), scan + ": " + out);
    int inside = Integer.parseInt(out.substring(out.lastIndexOf("inside ") + 7).trim());
    assertTrue(inside >= 10, scan + ": too few depths hit inside the lock: " + out);
  }

  @Test
  void single() throws Exception {
    run("uncontended:single");
  }

  @Test
  void keyedLimited() throws Exception {
    run("uncontended:keyed+limit");
  }

  @Test
  void registry() throws Exception {
    run("uncontended:registry");
  }
}
