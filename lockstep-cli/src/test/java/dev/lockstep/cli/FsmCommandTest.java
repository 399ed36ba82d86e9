package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void validDefinitionValidatesAndRenders(@TempDir Path dir) throws IOException {
    Path def = Files.writeString(dir.resolve("guard.yaml"), GUARD);
    CliRun v = run("fsm", "validate", def.toString());
    assertEquals(0, v.status(), v.err());
    assertTrue(v.out().contains("valid machine 'user-guard'"), v.out());
    CliRun r = run("fsm", "render", def.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("stateDiagram-v2"), r.out());
    assertTrue(r.out().contains("[*] --> IDLE"), r.out());
    CliRun dot = run("fsm", "render", "--format", "dot", def.toString());
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
    CliRun v = run("fsm", "validate", def.toString());
    assertEquals(1, v.status(), v.out() + v.err());
    String all = v.out() + v.err();
    assertTrue(all.contains("bad.yaml:6:"), all);
    assertTrue(all.contains("RESPOND"), all);
  }

  @Test
  void missingFileIs66(@TempDir Path dir) {
    CliRun v = run("fsm", "validate", dir.resolve("nope.yaml").toString());
    assertEquals(66, v.status(), v.err());
  }
}
