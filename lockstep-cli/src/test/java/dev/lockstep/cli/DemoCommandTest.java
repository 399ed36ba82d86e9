package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DemoCommandTest {

  private static String runCapturing(int[] status, String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      status[0] = Main.run(args);
    } finally {
      System.setOut(old);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void demoProcessesEveryMessageWithoutOverlapOrRetainedKeys() {
    int[] status = new int[1];
    String out = runCapturing(status, "demo", "--users", "40", "--messages", "5", "--json");
    assertEquals(0, status[0], out);
    assertTrue(out.contains("\"processed\":200"), out);
    assertTrue(out.contains("\"overlapsWithinUser\":0"), out);
    assertTrue(out.contains("\"retainedKeys\":0"), out);
    assertTrue(out.contains("\"ok\":true"), out);
  }

  @Test
  void demoTableNamesEveryFigure() {
    int[] status = new int[1];
    String out = runCapturing(status, "demo", "--users", "10", "--messages", "3");
    assertEquals(0, status[0], out);
    for (String row :
        new String[] {
          "messages processed",
          "users served concurrently (peak)",
          "overlaps within one user",
          "wait p50 / p99",
          "hold p50 / p99",
          "retained keys after run",
          "result: OK"
        }) {
      assertTrue(out.contains(row), row + " missing in:\n" + out);
    }
  }

  /**
   * A run bigger than the heap can hold (every message is a waiting virtual thread) is refused at
   * once, naming the limit, instead of ending in an OutOfMemoryError minutes later. Run in a child
   * JVM with a 64 MB heap: 100,000 messages need about 200 MB. (Failed before: the old check only
   * capped the run at 50,000,000 messages, and the child died of OutOfMemoryError.)
   */
  @Test
  void runsTooBigForTheHeapAreRefusedUpFront() throws Exception {
    List<String> cmd = CliRun.childCommand("demo", "--users", "5000", "--messages", "20");
    cmd.add(1, "-Xmx64m");
    Path errFile = Files.createTempFile("demo-refused", ".err");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(errFile.toFile())
            .start();
    boolean ended = p.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly().waitFor();
    }
    String err = Files.readString(errFile);
    Files.delete(errFile);
    assertTrue(ended, "still running after 60 s: " + err);
    assertEquals(2, p.exitValue(), err);
    assertTrue(err.contains("100,000 messages"), err);
    assertTrue(err.contains("at most"), err);
    assertTrue(err.contains("-Xmx"), err);
    assertTrue(DemoCommand.maxMessages(64L << 20) < 100_000);
    assertEquals(Integer.MAX_VALUE, DemoCommand.maxMessages(Long.MAX_VALUE));
  }

  @Test
  void badCountsAreRefused() {
    int[] status = new int[1];
    runCapturing(status, "demo", "--users", "0");
    assertEquals(2, status[0]);
  }
}
