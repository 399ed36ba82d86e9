package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each thing a crash (or a foreign program) can leave, found by verify() and repaired by recover().
 */
class RecoveryTest {
  @TempDir Path dir;
  private Path file;
  private Path log;

  @BeforeEach
  void threeRevisions() throws Exception {
    file = dir.resolve("state.yaml");
    log = dir.resolve("state.yaml.changes.jsonl");
    try (DocumentStore<ObjectNode> s = open()) {
      s.createIfAbsent((ObjectNode) ChangeLog.JSON.readTree("{\"counter\":0}"));
      s.update(RecoveryTest::increment);
      s.update(RecoveryTest::increment);
    }
  }

  private DocumentStore<ObjectNode> open() throws Exception {
    return DocumentStore.open(file, DocumentCodecs.yaml());
  }

  private static ObjectNode increment(ObjectNode d) {
    return d.put("counter", d.get("counter").asInt() + 1);
  }

  private static List<Finding.Kind> kinds(List<Finding> findings) {
    return findings.stream().map(Finding::kind).toList();
  }

  @Test
  void tempFilesOfCrashedWritesAreReportedByVerifyAndRemovedByRecoverAndTheFirstCommit()
      throws Exception {
    Path leftover = dir.resolve(".state.yaml.tmp-0123456789abcdef");
    Files.writeString(leftover, "revision: 4\n");
    try (DocumentStore<ObjectNode> s = open()) {
      assertTrue(Files.exists(leftover), "opening changes nothing");
      assertEquals(List.of(Finding.Kind.TEMP_FILE), kinds(s.verify().findings()));
      assertTrue(Files.exists(leftover), "verify changes nothing");
      assertEquals(List.of(Finding.Kind.TEMP_FILE), kinds(s.recover().repaired()));
      assertTrue(Files.notExists(leftover));
      assertTrue(s.verify().ok());
    }
    Files.writeString(leftover, "revision: 4\n");
    try (DocumentStore<ObjectNode> s = open()) {
      s.update(RecoveryTest::increment);
      assertTrue(Files.notExists(leftover), "removed by the first commit, under the lock");
      assertTrue(s.verify().ok());
    }
  }

  @Test
  void aTornLastLogLineIsCutByRecoverAndByTheNextCommit() throws Exception {
    byte[] intact = Files.readAllBytes(log);
    String torn = "{\"revision\":4,\"time\":\"2026-";
    Files.writeString(log, torn, StandardOpenOption.APPEND);
    try (DocumentStore<ObjectNode> s = open()) {
      VerifyReport report = s.verify();
      assertEquals(List.of(Finding.Kind.TORN_LOG_TAIL), kinds(report.findings()));
      assertEquals(3, report.loggedRevision());
      assertEquals(3, s.history().size(), "history ignores a torn tail");
      RecoveryReport r = s.recover();
      assertEquals(List.of(Finding.Kind.TORN_LOG_TAIL), kinds(r.repaired()));
      assertArrayEquals(intact, Files.readAllBytes(log));

      Files.writeString(log, torn, StandardOpenOption.APPEND);
      assertEquals(4, s.update(RecoveryTest::increment).revision());
      assertEquals(4, s.history().size());
      assertTrue(s.verify().ok(), s.verify().toString());
    }
  }

  /** The crash fell between the rename and the append: the commit is rebuilt from backup 1. */
  @Test
  void aCommitTheLogLacksIsLoggedAsRecovered() throws Exception {
    byte[] revision3 = Files.readAllBytes(file);
    Files.move(
        dir.resolve("state.yaml.backup.1"),
        dir.resolve("state.yaml.backup.2"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.write(dir.resolve("state.yaml.backup.1"), revision3);
    Files.writeString(file, "revision: 4\ncounter: 3\n");
    try (DocumentStore<ObjectNode> s = open()) {
      VerifyReport report = s.verify();
      assertEquals(List.of(Finding.Kind.UNLOGGED_COMMIT), kinds(report.findings()));
      assertEquals(4, report.documentRevision());
      assertEquals(3, report.loggedRevision());
      RecoveryReport r = s.recover();
      assertTrue(r.clean());
      Change recovered = s.recentChanges(1).get(0);
      assertEquals(Change.Operation.RECOVERED, recovered.operation());
      assertEquals(4, recovered.revision());
      assertTrue(recovered.patch().isPresent(), "rebuilt as a patch from backup 1");
      assertEquals(3, s.at(4).value().get("counter").asInt());
      assertEquals("revision: 4\ncounter: 3\n", Files.readString(file), "document untouched");
      assertTrue(s.verify().ok());
      assertEquals(5, s.update(RecoveryTest::increment).revision());
    }
  }

  /** The document's rename was lost: the log's last line names a revision it never reached. */
  @Test
  void logLinesTheDocumentNeverReachedAreMovedAside() throws Exception {
    Files.copy(dir.resolve("state.yaml.backup.1"), file, StandardCopyOption.REPLACE_EXISTING);
    try (DocumentStore<ObjectNode> s = open()) {
      VerifyReport report = s.verify();
      assertEquals(List.of(Finding.Kind.LOG_AHEAD_OF_DOCUMENT), kinds(report.findings()));
      assertTrue(report.findings().get(0).message().contains("3..3"), report.toString());
      s.recover();
      assertEquals(List.of(1L, 2L), s.history().stream().map(Change::revision).toList());
      List<String> discarded =
          Files.readAllLines(dir.resolve("state.yaml.changes.jsonl.discarded"));
      assertEquals(1, discarded.size());
      assertTrue(discarded.get(0).startsWith("{\"revision\":3,"), discarded.get(0));
      assertTrue(s.verify().ok());
      assertEquals(3, s.update(RecoveryTest::increment).revision());
    }
  }

  @Test
  void anInvalidDocumentIsReportedAndNeverTouched() throws Exception {
    String garbage = "counter: [1, 2\nrevision: x\n";
    Files.writeString(file, garbage);
    try (DocumentStore<ObjectNode> s = open()) {
      VerifyReport report = s.verify();
      assertEquals(List.of(Finding.Kind.INVALID_DOCUMENT), kinds(report.findings()));
      assertTrue(report.findings().get(0).message().contains("state.yaml"));
      RecoveryReport r = s.recover();
      assertEquals(List.of(Finding.Kind.INVALID_DOCUMENT), kinds(r.unrepaired()));
      assertEquals(garbage, Files.readString(file, StandardCharsets.UTF_8));
      assertThrows(InvalidDocumentException.class, () -> s.update(RecoveryTest::increment));
      assertEquals(garbage, Files.readString(file, StandardCharsets.UTF_8));
      // restoring a backup replaces it, logging the invalid content first: nothing is lost
      Versioned<ObjectNode> restored = s.restoreBackup(1);
      assertEquals(5, restored.revision());
      assertEquals(1, restored.value().get("counter").asInt(), "backup 1 is revision 2");
      List<Change> h = s.history();
      assertEquals(Change.Operation.EXTERNAL_EDIT, h.get(3).operation());
      assertEquals(garbage, h.get(3).content().orElseThrow());
      assertEquals(Change.Operation.RESTORE_BACKUP, h.get(4).operation());
      assertTrue(s.verify().ok(), s.verify().toString());
    }
  }
}
