package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the commands print when something fails says what went wrong in words, never as a Java class
 * name ({@code java.nio.file.NoSuchFileException: nosuch.yaml}, {@code
 * dev.lockstep.doc.CorruptChangeLogException: ...}, {@code "error":"dev.lockstep.fsm.NoSuch...}).
 */
class MessagesTest {
  @TempDir Path dir;

  private static void assertNoJavaNames(String text) {
    assertFalse(text.contains("java."), text);
    assertFalse(text.contains("dev.lockstep"), text);
    assertFalse(text.contains("Exception"), text);
  }

  @Test
  void fileProblemsAreNamedInWords() {
    assertEquals(
        "a.yaml: no such file or directory", Problems.describe(new NoSuchFileException("a.yaml")));
    assertEquals("f: permission denied", Problems.describe(new AccessDeniedException("f")));
    assertEquals(
        "f: Not a directory",
        Problems.describe(new FileSystemException("f", null, "Not a directory")));
    assertEquals(
        "a -> b: permission denied (read-only)",
        Problems.describe(new AccessDeniedException("a", "b", "read-only")));
    assertEquals(
        "x: no such file or directory",
        Problems.describe(new UncheckedIOException(new NoSuchFileException("x"))));
    assertEquals(
        "no such file or directory",
        Problems.describe(new NoSuchFileException("a.yaml"), Path.of("a.yaml")));
    assertEquals("disk on fire", Problems.describe(new IOException("disk on fire")));
    assertNoJavaNames(Problems.describe(new IllegalStateException()));
    assertNoJavaNames(Problems.describe(new RuntimeException(new IllegalStateException())));
  }

  @Test
  void anUnreadableDefinitionSaysWhy() {
    String missing = dir.resolve("nosuch.yaml").toString();
    for (List<String> args :
        List.of(
            List.of("fsm", "validate", missing),
            List.of("fsm", "render", missing),
            List.of("fsm", "create", "--db", dir.resolve("a.db").toString(), "--def", missing, "e"),
            List.of("fsm", "check", "--db", dir.toString(), "--def", missing))) {
      CliRun run = CliRun.of(args.toArray(String[]::new));
      assertEquals(FsmCommand.EX_NOINPUT, run.status(), args + ": " + run.err());
      String all = run.out() + run.err();
      assertTrue(all.contains("cannot read " + missing + ": no such file"), all);
      assertNoJavaNames(all);
    }
  }

  @Test
  void aCorruptChangeLogLineIsReportedWithoutItsClass() throws Exception {
    String f = dir.resolve("state.yaml").toString();
    assertEquals(0, CliRun.of("doc", "set", f, "a=1").status());
    assertEquals(0, CliRun.of("doc", "set", f, "a=2").status());
    Path log = dir.resolve("state.yaml.changes.jsonl");
    List<String> lines = Files.readAllLines(log);
    Files.write(log, List.of("{not json", lines.get(1)));
    CliRun history = CliRun.of("doc", "history", f);
    assertEquals(1, history.status(), history.out() + history.err());
    assertTrue(history.err().contains("corrupt change-log line"), history.err());
    assertNoJavaNames(history.err());
  }

  @Test
  void aFailedFireNamesTheProblemNotTheClass() throws Exception {
    Path def =
        Files.writeString(
            dir.resolve("m.yaml"),
            """
            name: m
            initial: A
            states: [A, B]
            transitions:
              - {from: A, on: go, to: B}
            """);
    String db = dir.resolve("a.db").toString();
    assertEquals(0, CliRun.of("fsm", "create", "--db", db, "--def", def.toString(), "e1").status());
    CliRun fire = CliRun.of("fsm", "fire", "--db", db, "--def", def.toString(), "nobody", "go");
    assertEquals(FsmEntityCommands.FAILED, fire.status(), fire.err());
    assertTrue(fire.out().contains("\"error\":\"no entity 'nobody'"), fire.out());
    assertNoJavaNames(fire.out());
  }
}
