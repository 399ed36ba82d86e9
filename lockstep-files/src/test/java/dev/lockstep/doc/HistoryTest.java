package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.file.Durability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
  @TempDir Path dir;

  private DocumentStore<ObjectNode> store(Path file, DocumentOptions options) throws Exception {
    DocumentStore<ObjectNode> s = DocumentStore.open(file, DocumentCodecs.json(), options);
    s.createIfAbsent((ObjectNode) ChangeLog.JSON.readTree("{\"n\":0}"));
    for (int i = 1; i <= 9; i++) {
      int n = i;
      s.update(d -> d.put("n", n));
    }
    return s;
  }

  @Test
  void compactKeepsWhatItSaysAndAtKeepsWorking() throws Exception {
    Path file = dir.resolve("state.json");
    try (DocumentStore<ObjectNode> s =
        store(file, DocumentOptions.defaults().withDurability(Durability.NONE))) {
      assertEquals(10, s.history().size());
      assertEquals(7, s.compact(Retention.keepLast(3)));
      List<Change> h = s.history();
      assertEquals(List.of(7L, 8L, 9L, 10L), h.stream().map(Change::revision).toList());
      assertEquals(Change.Operation.SNAPSHOT, h.get(0).operation());
      for (long r = 7; r <= 10; r++) {
        assertEquals(r - 1, s.at(r).value().get("n").asInt());
      }
      RevisionNotFoundException gone = assertThrows(RevisionNotFoundException.class, () -> s.at(3));
      assertTrue(gone.getMessage().contains("7..10"), gone.getMessage());
      assertEquals(11, s.update(d -> d.put("n", 10)).revision());
      assertEquals(0, s.compact(Retention.keepLast(100)));
      assertEquals(4, s.compact(Retention.olderThan(Instant.now().plusSeconds(60))));
      assertEquals(List.of(10L, 11L), s.history().stream().map(Change::revision).toList());
      assertEquals(10, s.at(11).value().get("n").asInt());
      assertTrue(s.verify().ok(), s.verify().toString());
    }
  }

  @Test
  void aCustomChangeLogPathAndBackupCount() throws Exception {
    Path log = dir.resolve(".parac/memory/logs/state_changes.jsonl"); // created on open
    Path file = dir.resolve("state.json");
    try (DocumentStore<ObjectNode> s =
        store(file, DocumentOptions.defaults().withChangeLog(log).withBackups(1))) {
      assertEquals(10, Files.readAllLines(log).size());
      assertTrue(Files.notExists(dir.resolve("state.json.changes.jsonl")));
      assertTrue(Files.exists(dir.resolve("state.json.backup.1")));
      assertTrue(Files.notExists(dir.resolve("state.json.backup.2")));
      assertEquals(9, s.restoreBackup(1).value().get("n").asInt() + 1);
    }
  }

  @Test
  void everyLineCarriesItsMetadataAndAChecksum() throws Exception {
    Path file = dir.resolve("state.json");
    try (DocumentStore<ObjectNode> s =
        store(file, DocumentOptions.defaults().withOwner("agent-7"))) {
      Change c = s.recentChanges(1).get(0);
      assertEquals("agent-7", c.owner());
      assertEquals(ProcessHandle.current().pid(), c.pid());
      assertTrue(!c.host().isEmpty());
      assertEquals(Hashes.sha256(Files.readAllBytes(file)), c.sha256());
      String line = Files.readAllLines(dir.resolve("state.json.changes.jsonl")).get(9);
      assertTrue(line.matches(".*\"crc32c\":\"[0-9a-f]{8}\"}$"), line);
      // a flipped byte in the middle of the log is corruption, not a torn tail
      Path logFile = dir.resolve("state.json.changes.jsonl");
      List<String> lines = Files.readAllLines(logFile);
      lines.set(4, lines.get(4).replace("\"replace\"", "\"remove\""));
      Files.write(logFile, lines);
      CorruptChangeLogException e = assertThrows(CorruptChangeLogException.class, s::history);
      assertEquals(5, e.line());
      VerifyReport report = s.verify();
      assertEquals(Finding.Kind.CORRUPT_LOG_LINE, report.findings().get(0).kind());
      RecoveryReport r = s.recover();
      assertEquals(1, r.unrepaired().size());
    }
  }

  /**
   * Compaction replaces the log file; a store with its own engine (another owner) that kept the old
   * file open notices the new one at its next commit and appends there.
   *
   * <p>Checked against a broken variant: without the file-identity check in ChangeLog.refresh, b's
   * line goes to the replaced (unlinked) file and the history ends at revision 12.
   */
  @Test
  void aStoreThatKeptTheOldLogOpenAppendsToTheCompactedOne() throws Exception {
    Path file = dir.resolve("state.json");
    try (DocumentStore<ObjectNode> a = store(file, DocumentOptions.defaults().withOwner("a"));
        DocumentStore<ObjectNode> b =
            DocumentStore.open(
                file, DocumentCodecs.json(), DocumentOptions.defaults().withOwner("b"))) {
      b.update(d -> d.put("n", 10));
      a.update(d -> d.put("n", 11));
      assertEquals(10, a.compact(Retention.keepLast(2)));
      assertEquals(13, b.update(d -> d.put("n", 12)).revision());
      List<Change> h = a.history();
      assertEquals(List.of(10L, 11L, 12L, 13L), h.stream().map(Change::revision).toList());
      assertEquals("b", h.get(3).owner());
      assertEquals(12, a.at(13).value().get("n").asInt());
      assertTrue(a.verify().ok(), a.verify().toString());
    }
  }
}
