package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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

  @Test
  void badCountsAreRefused() {
    int[] status = new int[1];
    runCapturing(status, "demo", "--users", "0");
    assertEquals(2, status[0]);
  }
}
