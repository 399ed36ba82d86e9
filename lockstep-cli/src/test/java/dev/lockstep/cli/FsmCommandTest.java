package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsmCommandTest {
  private static final String GUARD =
      """
      name: user-guard
      initial: IDLE
      states: [IDLE, THINKING, RESPONDING]
      transitions:
        - {from: IDLE, on: message, to: THINKING}
        - {from: THINKING, on: reply, to: RESPONDING}
        - {from: RESPONDING, on: done, to: IDLE}
        - {from: [THINKING, RESPONDING], on: fail, to: IDLE}
      """;

  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int status = Main.run(args);
      return new Run(
          status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void validDefinitionValidatesAndRenders(@TempDir Path dir) throws IOException {
    Path def = Files.writeString(dir.resolve("guard.yaml"), GUARD);
    Run v = run("fsm", "validate", def.toString());
    assertEquals(0, v.status(), v.err());
    assertTrue(v.out().contains("valid machine 'user-guard'"), v.out());
    Run r = run("fsm", "render", def.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("stateDiagram-v2"), r.out());
    assertTrue(r.out().contains("[*] --> IDLE"), r.out());
    Run dot = run("fsm", "render", "--format", "dot", def.toString());
    assertEquals(0, dot.status(), dot.err());
    assertTrue(dot.out().startsWith("digraph"), dot.out());
  }

  @Test
  void invalidDefinitionNamesTheLine(@TempDir Path dir) throws IOException {
    Path def =
        Files.writeString(
            dir.resolve("bad.yaml"),
            GUARD.replace(
                "{from: THINKING, on: reply, to: RESPONDING}",
                "{from: THINKING, on: reply, to: RESPOND}"));
    Run v = run("fsm", "validate", def.toString());
    assertEquals(1, v.status(), v.out() + v.err());
    String all = v.out() + v.err();
    assertTrue(all.contains("bad.yaml:6:"), all);
    assertTrue(all.contains("RESPOND"), all);
  }

  @Test
  void missingFileIs66(@TempDir Path dir) {
    Run v = run("fsm", "validate", dir.resolve("nope.yaml").toString());
    assertEquals(66, v.status(), v.err());
  }
}
