package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.file.FileLock;
import dev.lockstep.file.FileLockHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lockstep doc} and {@code lockstep lock} used the way a demanding user tries them: each
 * mistake gets the exit status the README gives and a message naming the file, the key or the
 * limit, no Java exception names, and nothing stored changes.
 */
class MisuseTest {
  @TempDir Path dir;

  private static CliRun doc(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "doc";
    System.arraycopy(args, 0, all, 1, args.length);
    return CliRun.of(all);
  }

  private static void assertNoJavaNames(CliRun run) {
    assertFalse(run.err().contains("java."), run.err());
    assertFalse(run.err().contains("Exception"), run.err());
  }

  @Test
  void expectRevisionZeroOnAnUnrevisedFileKeepsItsContent() throws Exception {
    Path f = Files.writeString(dir.resolve("state.yaml"), "a: 1\nkeep: important\n");
    CliRun set = doc("set", f.toString(), "a=2", "--expect-revision", "0");
    assertEquals(0, set.status(), set.err());
    assertEquals("revision: 1\na: 2\nkeep: important\n", Files.readString(f));
    assertEquals(
        DocCommand.STALE, doc("set", f.toString(), "a=3", "--expect-revision", "0").status());
  }

  @Test
  void aNegativeExpectedRevisionIsAUsageError() throws Exception {
    Path f = dir.resolve("state.yaml");
    CliRun set = doc("set", f.toString(), "a=1", "--expect-revision", "-1");
    assertEquals(DocCommand.USAGE, set.status(), set.err());
    assertTrue(set.err().contains("--expect-revision"), set.err());
    assertFalse(Files.exists(f));
  }

  @Test
  void anIncrementPastTheLargestIntegerIsAUsageErrorAndWritesNothing() throws Exception {
    Path f = dir.resolve("state.yaml");
    assertEquals(0, doc("set", f.toString(), "n=" + Long.MAX_VALUE).status());
    String before = Files.readString(f);
    CliRun incr = doc("incr", f.toString(), "n");
    assertEquals(DocCommand.USAGE, incr.status(), incr.err());
    assertTrue(incr.err().contains("KEY 'n'"), incr.err());
    assertTrue(incr.err().contains("does not fit in a 64-bit integer"), incr.err());
    assertNoJavaNames(incr);
    assertEquals(before, Files.readString(f));
  }

  /**
   * A float beyond a double's range (YAML 1.1 spelling, as in a file: a dot and a signed exponent)
   * is a usage error naming KEY and VALUE, not the string "Infinity". {@code 1e400} has no dot: a
   * string to PyYAML, so a string here too.
   */
  @Test
  void aNumberBeyondTheDoubleRangeIsAUsageErrorNotTheStringInfinity() throws Exception {
    Path f = dir.resolve("state.json");
    CliRun set = doc("set", f.toString(), "x=1.0e+400");
    assertEquals(DocCommand.USAGE, set.status(), set.err());
    assertTrue(
        set.err().contains("KEY 'x', VALUE '1.0e+400': 1.0e+400 is a float to YAML 1.1 readers"),
        set.err());
    assertTrue(set.err().contains("(inf), which JSON cannot hold"), set.err());
    assertFalse(Files.exists(f));
    assertEquals(0, doc("set", f.toString(), "x=1e400").status());
    assertEquals("{\"revision\":1,\"x\":\"1e400\"}\n", doc("get", f.toString()).out());
  }

  /**
   * Inside a list or a map of VALUE too, naming the place (1e400 in a list was refused by the codec
   * without naming KEY or VALUE). Below the smallest double a float is 0.0, as PyYAML and reading
   * the file make it.
   */
  @Test
  void aNumberADoubleCannotHoldAnywhereInValueIsAUsageError() throws Exception {
    Path f = dir.resolve("state.json");
    for (String[] c :
        new String[][] {
          {"x=[1, 1.0e+400]", "VALUE '[1, 1.0e+400]': '[1]': 1.0e+400 is a float"},
          {"x={a: {b: -2.0e+999}}", "VALUE '{a: {b: -2.0e+999}}': 'a.b': -2.0e+999 is a float"}
        }) {
      CliRun set = doc("set", f.toString(), c[0]);
      assertEquals(DocCommand.USAGE, set.status(), c[0] + ": " + set.err());
      assertTrue(set.err().contains(c[1]), set.err());
      assertNoJavaNames(set);
      assertFalse(Files.exists(f));
    }
    assertEquals(
        0, doc("set", f.toString(), "x=[0.0, 1.0e+300, 12" + "0".repeat(30) + "]").status());
    assertEquals("[0.0,1.0E300,12" + "0".repeat(30) + "]\n", doc("get", f.toString(), "x").out());
    assertEquals(0, doc("set", f.toString(), "y=1.0e-400").status());
    assertEquals("0.0\n", doc("get", f.toString(), "y").out());
  }

  @Test
  void aDirectoryForFileCannotBeRead() throws Exception {
    Path d = Files.createDirectory(dir.resolve("state.yaml"));
    for (String command : new String[] {"get", "verify", "history"}) {
      CliRun run = doc(command, d.toString());
      assertEquals(DocCommand.EX_NOINPUT, run.status(), command + ": " + run.err());
      assertTrue(run.err().contains("is a directory"), run.err());
    }
    assertEquals(DocCommand.EX_NOINPUT, doc("set", d.toString(), "a=1").status());
  }

  /**
   * FILE under a regular file cannot exist: every subcommand says that the regular file is not a
   * directory, exit 66 as for a missing directory. (Before: "afile/x.yaml: /tmp/.../afile", exit 1,
   * no reason given.)
   */
  @Test
  void aFileUnderARegularFileSaysWhichIsNotADirectory() throws Exception {
    Path plain = Files.writeString(dir.resolve("afile"), "x");
    for (Path f : new Path[] {plain.resolve("x.yaml"), plain.resolve("sub/x.json")}) {
      for (String[] args :
          new String[][] {
            {"set", f.toString(), "a=1"},
            {"get", f.toString()},
            {"incr", f.toString(), "n"},
            {"history", f.toString()},
            {"verify", f.toString()},
            {"recover", f.toString()}
          }) {
        CliRun run = doc(args);
        assertEquals(DocCommand.EX_NOINPUT, run.status(), args[0] + ": " + run.err());
        assertTrue(run.err().contains(f + ": " + plain + " is not a directory"), run.err());
        assertNoJavaNames(run);
      }
    }
    assertEquals("x", Files.readString(plain));
  }

  @Test
  void checkingADocumentThatDoesNotExistSaysSo() throws Exception {
    String f = dir.resolve("typo.yaml").toString();
    for (String command : new String[] {"verify", "recover", "history"}) {
      CliRun run = doc(command, f);
      assertEquals(DocCommand.EX_NOINPUT, run.status(), command + ": " + run.out() + run.err());
      assertTrue(run.err().contains("typo.yaml: no such file"), run.err());
    }
    assertEquals(0, doc("set", f, "a=1").status());
    Files.delete(Path.of(f));
    CliRun verify = doc("verify", f);
    assertEquals(DocCommand.EX_NOINPUT, verify.status(), verify.out());
    assertTrue(verify.err().contains("doc restore --revision 1"), verify.err());
    assertEquals(0, doc("history", f).status(), "the log is still there to restore from");
  }

  @Test
  void aMissingMarkdownWorkflowIsNotCreatedAndTheMessageSaysWhy() throws Exception {
    CliRun set = doc("set", dir.resolve("STATE.md").toString(), "status=Wave 1/2");
    assertEquals(DocCommand.EX_NOINPUT, set.status());
    assertTrue(set.err().contains("write it first"), set.err());
  }

  @Test
  void aLockFileThatIsADirectoryStopsCommitsButNotReads() throws Exception {
    Path f = dir.resolve("state.yaml");
    assertEquals(0, doc("set", f.toString(), "a=1").status());
    Path lock = dir.resolve("state.yaml.lock");
    Files.delete(lock);
    Files.createDirectory(lock);
    String before = Files.readString(f);
    CliRun get = doc("get", f.toString(), "a");
    assertEquals(0, get.status(), get.err());
    assertEquals("1\n", get.out());
    CliRun set = doc("set", f.toString(), "a=2");
    assertEquals(1, set.status());
    assertTrue(set.err().contains("cannot open lock file " + lock), set.err());
    assertNoJavaNames(set);
    assertEquals(before, Files.readString(f));
  }

  @Test
  void theLastPossibleRevisionIsAnInvalidDocument() throws Exception {
    Path f = Files.writeString(dir.resolve("state.yaml"), "revision: " + Long.MAX_VALUE + "\n");
    CliRun set = doc("set", f.toString(), "a=1");
    assertEquals(DocCommand.EX_DATAERR, set.status(), set.err());
    assertTrue(set.err().contains("is the last one"), set.err());
    assertEquals("revision: " + Long.MAX_VALUE + "\n", Files.readString(f));
  }

  @Test
  void lockRunsACommandNamedDoubleDashRatherThanFailing() {
    CliRun run = CliRun.of("lock", dir.resolve("f.lock").toString(), "--", "--");
    assertEquals(LockCommand.CANNOT_RUN, run.status(), run.err());
    assertTrue(run.err().contains("cannot run --"), run.err());
  }

  @Test
  void nonblockOnAHeldLockSaysItIsHeldAndByWhom() throws Exception {
    Path f = dir.resolve("f.lock");
    try (FileLockHandle held = FileLock.of(f).acquire(Duration.ofSeconds(5))) {
      CliRun run = CliRun.of("lock", "--nonblock", f.toString(), "--", "true");
      assertEquals(LockCommand.EX_TEMPFAIL, run.status(), run.err());
      assertTrue(run.err().startsWith("lockstep lock: " + f + " is locked by "), run.err());
      assertFalse(run.err().contains("PT0S"), run.err());
    }
  }
}
