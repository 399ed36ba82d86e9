package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code doc verify} changes nothing and reports what a crash left; {@code get}, {@code history}
 * and {@code show} change nothing either; none of them creates a file for a missing document; a
 * verify that cannot take the lock exits 74, not 1 (problems found).
 */
class DocVerifyTest {
  private static CliRun doc(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "doc";
    System.arraycopy(args, 0, all, 1, args.length);
    return CliRun.of(all);
  }

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void verifyReportsATempFileAndOnlyRecoverOrACommitRemovesIt(@TempDir Path dir) throws Exception {
    String f = dir.resolve("s.json").toString();
    for (int i = 0; i < 4; i++) {
      assertEquals(0, doc("set", f, "a=" + i).status());
    }
    Path temp = Files.writeString(dir.resolve(".s.json.tmp-deadbeef"), "x\n");
    CliRun verify = doc("verify", f);
    assertEquals(DocCommand.PROBLEMS, verify.status(), verify.out() + verify.err());
    assertTrue(verify.out().contains("temp-file (repairable): " + temp), verify.out());
    assertTrue(Files.exists(temp), "verify changes nothing");
    assertEquals(0, doc("get", f).status());
    assertEquals(0, doc("history", f).status());
    assertEquals(0, doc("show", f, "--revision", "2").status());
    assertTrue(Files.exists(temp), "get, history and show change nothing");
    CliRun recover = doc("recover", f);
    assertEquals(0, recover.status(), recover.out());
    assertTrue(recover.out().startsWith("repaired temp-file: " + temp), recover.out());
    assertTrue(Files.notExists(temp));

    Files.writeString(temp, "x\n");
    assertEquals("5\n", doc("set", f, "a=5").out());
    assertTrue(Files.notExists(temp), "a commit removes it (under the lock)");
    assertEquals(0, doc("verify", f).status());
  }

  @Test
  void readingAMissingDocumentCreatesNoFile(@TempDir Path dir) throws Exception {
    String f = dir.resolve("x.yaml").toString();
    assertEquals(DocCommand.EX_NOINPUT, doc("get", f).status());
    assertEquals(DocCommand.EX_NOINPUT, doc("verify", f).status());
    assertEquals(DocCommand.EX_NOINPUT, doc("history", f).status());
    assertEquals(DocCommand.EX_NOINPUT, doc("show", f, "--revision", "1").status());
    assertEquals(List.of(), names(dir), "no x.yaml.lock");
  }

  /** A document another program wrote, in a directory this user cannot write to. */
  @Test
  void verifyWorksInAReadOnlyDirectory(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("s.yaml"), "revision: 3\na: 1\n");
    try (ReadOnly ro = ReadOnly.make(dir)) {
      CliRun verify = doc("verify", f.toString());
      assertEquals(0, verify.status(), verify.out() + verify.err());
      assertEquals(f + ": ok at revision 3\n", verify.out());
      assertEquals("1\n", doc("get", f.toString(), "a").out());
    }
    assertEquals(List.of("s.yaml"), names(dir));
  }

  /** A lock file that exists but cannot be opened: verify could not check, which is not "1". */
  @Test
  void verifyThatCannotOpenTheLockFileExits74(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("s.yaml");
    assertEquals(0, doc("set", f.toString(), "a=1").status());
    Path lock = dir.resolve("s.yaml.lock");
    Files.delete(lock);
    Files.createDirectory(lock); // cannot be opened for locking, whoever runs the test
    CliRun verify = doc("verify", f.toString());
    assertEquals(DocCommand.EX_IOERR, verify.status(), verify.out() + verify.err());
    assertEquals("", verify.out());
    assertTrue(
        verify.err().startsWith("lockstep doc verify: could not verify " + f + ": "), verify.err());
    assertTrue(verify.err().contains("cannot open lock file " + lock), verify.err());
  }
}
