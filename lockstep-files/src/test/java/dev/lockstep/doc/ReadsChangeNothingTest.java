package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.file.FileLock;
import dev.lockstep.file.FileLockHandle;
import dev.lockstep.lock.LockTimeoutException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening a store, {@code read()}, {@code history()}, {@code at()} and {@code verify()} change
 * nothing on disk: they neither delete what a crash left (verify reports it, the first commit and
 * {@code recover()} remove it) nor create a lock file for a document that does not exist.
 *
 * <p>Seen failing on the old code, where open removed temp and spare files and created {@code
 * NAME.lock} (to try its lock for that clean-up): every test below but the last two.
 */
class ReadsChangeNothingTest {
  @TempDir Path dir;

  private static ObjectNode increment(ObjectNode d) {
    return d.put("counter", d.get("counter").asInt() + 1);
  }

  /** Every entry of the directory: its name, content and modification time. */
  private Map<String, String> snapshot() throws IOException {
    Map<String, String> all = new TreeMap<>();
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        String what =
            Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                ? "dir"
                : Files.readString(p) + " @" + Files.getLastModifiedTime(p);
        all.put(p.getFileName().toString(), what);
      }
    }
    return all;
  }

  private Path threeRevisions() throws Exception {
    Path file = dir.resolve("state.yaml");
    try (DocumentStore<ObjectNode> s = DocumentStore.open(file, DocumentCodecs.yaml())) {
      s.createIfAbsent((ObjectNode) ChangeLog.JSON.readTree("{\"counter\":0}"));
      s.update(ReadsChangeNothingTest::increment);
      s.update(ReadsChangeNothingTest::increment);
    }
    return file;
  }

  private Path old(Path p) throws IOException {
    Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(3600)));
    return p;
  }

  @Test
  void readsAndVerifyKeepAndReportWhatACrashLeft() throws Exception {
    Path file = threeRevisions();
    Path temp = old(Files.writeString(dir.resolve(".state.yaml.tmp-deadbeef"), "x\n"));
    Path spare = old(Files.writeString(dir.resolve(".state.yaml.spare-0123456789abcdef"), "y"));
    Map<String, String> before = snapshot();
    try (DocumentStore<ObjectNode> s = DocumentStore.open(file, DocumentCodecs.yaml())) {
      assertEquals(3, s.read().revision());
      assertEquals(3, s.history().size());
      assertEquals(1, s.at(2).value().get("counter").asInt());
      VerifyReport report = s.verify();
      assertEquals(
          List.of(Finding.Kind.TEMP_FILE),
          report.findings().stream().map(Finding::kind).toList(),
          report.toString());
      assertEquals(temp, report.findings().get(0).file());
      assertEquals(before, snapshot(), "open, read, history, at and verify changed nothing");
      RecoveryReport recovered = s.recover();
      assertEquals(1, recovered.repaired().size(), recovered.toString());
      assertTrue(Files.notExists(temp));
      assertTrue(Files.notExists(spare), "recover() removes spares");
      assertTrue(s.verify().ok());
    }
  }

  @Test
  void theFirstCommitRemovesWhatACrashLeft() throws Exception {
    Path file = threeRevisions();
    Path temp = Files.writeString(dir.resolve(".state.yaml.tmp-deadbeef"), "x\n");
    Path spare = Files.writeString(dir.resolve(".state.yaml.spare-0123456789abcdef"), "y");
    Path notOurs = Files.writeString(dir.resolve(".state.yaml.spare-notes"), "mine");
    try (DocumentStore<ObjectNode> s = DocumentStore.open(file, DocumentCodecs.yaml())) {
      assertTrue(Files.exists(temp) && Files.exists(spare), "open removes nothing");
      assertEquals(4, s.update(ReadsChangeNothingTest::increment).revision());
      assertTrue(Files.notExists(temp), "the first commit removes temp files (under the lock)");
      assertTrue(Files.notExists(spare), "and spares");
      assertTrue(s.verify().ok(), s.verify().toString());
    }
    assertEquals("mine", Files.readString(notOurs));
  }

  @Test
  void readingOrVerifyingAMissingDocumentCreatesNoFile() throws Exception {
    Path file = dir.resolve("x.yaml");
    try (DocumentStore<ObjectNode> s = DocumentStore.open(file, DocumentCodecs.yaml())) {
      assertThrows(NoSuchFileException.class, s::read);
      assertEquals(List.of(), s.history());
      VerifyReport report = s.verify();
      assertTrue(report.ok(), report.toString());
      assertEquals(0, report.documentRevision());
    }
    assertEquals(Map.of(), snapshot(), "no x.yaml.lock or anything else");
  }

  /** A document written by another program, never locked: verify needs no lock file for it. */
  @Test
  void verifyingADocumentWithoutLockFileCreatesNone() throws Exception {
    Path file = Files.writeString(dir.resolve("plain.yaml"), "revision: 2\ncounter: 1\n");
    Path temp = Files.writeString(dir.resolve(".plain.yaml.tmp-0badc0de"), "x\n");
    Map<String, String> before = snapshot();
    try (DocumentStore<ObjectNode> s = DocumentStore.open(file, DocumentCodecs.yaml())) {
      VerifyReport report = s.verify();
      assertEquals(2, report.documentRevision());
      assertEquals(
          List.of(Finding.Kind.TEMP_FILE),
          report.findings().stream().map(Finding::kind).toList(),
          report.toString());
      assertEquals(temp, report.findings().get(0).file());
    }
    assertEquals(before, snapshot());
  }

  /** Once the lock file exists, verify takes the lock: it waits for whoever holds it. */
  @Test
  void verifyTakesTheLockWhenTheLockFileExists() throws Exception {
    Path file = threeRevisions();
    try (DocumentStore<ObjectNode> s =
            DocumentStore.open(
                file,
                DocumentCodecs.yaml(),
                DocumentOptions.defaults()
                    .withLockTimeout(Duration.ofMillis(100))
                    .withRetries(0, Duration.ZERO, Duration.ZERO, Duration.ofMillis(100)));
        FileLockHandle held =
            FileLock.of(dir.resolve("state.yaml.lock"))
                .acquireAsync(Duration.ofSeconds(5)) // held by another thread
                .get()) {
      assertTrue(held.isValid());
      assertThrows(LockTimeoutException.class, s::verify);
    }
  }

  /**
   * A lock file that exists but cannot be opened (here a directory) makes verify fail with an
   * IOException naming it: a writer may hold it, so verifying without it would not be safe.
   */
  @Test
  void aLockFileThatCannotBeOpenedFailsVerify() throws Exception {
    Path file = threeRevisions();
    Path lock = dir.resolve("state.yaml.lock");
    Files.delete(lock);
    Files.createDirectory(lock);
    try (DocumentStore<ObjectNode> s = DocumentStore.open(file, DocumentCodecs.yaml())) {
      IOException e = assertThrows(IOException.class, s::verify);
      assertTrue(e.getMessage().contains(lock.toString()), e.getMessage());
    }
  }
}
