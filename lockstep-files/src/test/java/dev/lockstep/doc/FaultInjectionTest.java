package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every write, fsync and rename of a commit fails in turn (and the disk fills up during each
 * write), both with a new temp file and with the spare a previous commit kept: the caller gets an
 * IOException naming the file, the previous revision, its backups and its log stay exactly as they
 * were, no temp file and at most one spare is left (none once the store is closed), and the next
 * update succeeds with the next revision.
 *
 * <p>A commit with three backups does: write 1 the temp file (a new one, or the spare overwritten
 * in place), sync 1 the temp file, rename 1 backup 3 to a new spare name, renames 2 and 3 the other
 * backups, rename 4 the temp file over the document, write 2 the log line, then at the same time
 * directory-sync 1 (on a helper thread) and sync 2 the log. Faults before rename 4 put the backups
 * back; faults after it are undone by cutting the log back, renaming backup 1 back over the
 * document and the backups back; when both syncs fail, the caller sees one failure with the other
 * suppressed in it.
 *
 * <p>Checked against broken variants: without the undo in CommitWriter ({@code undoAfter} returning
 * the cause without renaming back), the write-2 (both), sync-2 and directory-sync cases fail (the
 * document holds the refused revision); without the log's cut-back ({@code cutBack} doing nothing)
 * the directory-sync cases fail (the log keeps the refused revision's line, already fdatasynced);
 * without putting the backups back ({@code unrotate} doing nothing) every rename case and every
 * case after the rename fails on the backups (with the undo's rename of backup 1 kept, the document
 * itself is still restored).
 */
class FaultInjectionTest {
  @TempDir Path dir;

  static Stream<Arguments> faults() {
    List<Arguments> all = new java.util.ArrayList<>();
    for (boolean spare : List.of(false, true)) {
      all.add(Arguments.of(FaultyFiles.Kind.WRITE, 1, false, spare));
      all.add(Arguments.of(FaultyFiles.Kind.WRITE, 1, true, spare));
      all.add(Arguments.of(FaultyFiles.Kind.WRITE, 2, false, spare));
      all.add(Arguments.of(FaultyFiles.Kind.WRITE, 2, true, spare));
      all.add(Arguments.of(FaultyFiles.Kind.SYNC, 1, false, spare));
      all.add(Arguments.of(FaultyFiles.Kind.SYNC, 2, false, spare));
      all.add(Arguments.of(FaultyFiles.Kind.DIRECTORY_SYNC, 1, false, spare));
      for (int rename = 1; rename <= 4; rename++) {
        all.add(Arguments.of(FaultyFiles.Kind.RENAME, rename, false, spare));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} #{1} diskFull={2} spare={3}")
  @MethodSource("faults")
  void aFailedStepLeavesThePreviousRevisionIntact(
      FaultyFiles.Kind kind, int n, boolean diskFull, boolean spare) throws Exception {
    FaultyFiles files = new FaultyFiles();
    Path file = dir.resolve("state.yaml");
    Path log = dir.resolve("state.yaml.changes.jsonl");
    int before = spare ? 5 : 3; // revision 5 is the first to drop a backup: it becomes the spare
    try (DocumentStore<ObjectNode> store = open(files)) {
      createAndUpdate(store, before);
      byte[] document = Files.readAllBytes(file);
      byte[] logBytes = Files.readAllBytes(log);
      List<byte[]> backups = new java.util.ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        backups.add(Files.readAllBytes(dir.resolve("state.yaml.backup." + i)));
      }
      assertEquals(spare ? 1 : 0, spares().size(), "spares before");

      files.failNth(kind, n, diskFull);
      IOException e =
          assertThrows(IOException.class, () -> store.update(FaultInjectionTest::increment));
      int rewrites = files.count(FaultyFiles.Kind.REWRITE);
      files.heal();
      String message = e.getMessage();
      assertTrue(message.contains("state.yaml") || message.contains(dir.toString()), message);
      assertTrue(message.contains(diskFull ? "No space left" : "injected"), message);
      boolean pastFirstWrite = !(kind == FaultyFiles.Kind.WRITE && n == 1);
      assertEquals(spare && pastFirstWrite ? 1 : 0, rewrites, "the spare was the temp file");

      assertArrayEquals(document, Files.readAllBytes(file), "the document is as it was");
      assertArrayEquals(logBytes, Files.readAllBytes(log), "the log is as it was");
      for (int i = 1; i <= 3; i++) {
        assertArrayEquals(
            backups.get(i - 1),
            Files.readAllBytes(dir.resolve("state.yaml.backup." + i)),
            "backup " + i + " is as it was");
      }
      try (Stream<Path> entries = Files.list(dir)) {
        List<Path> temps =
            entries.filter(p -> p.getFileName().toString().startsWith(".state.yaml.tmp-")).toList();
        assertEquals(List.of(), temps, "no temp file left");
      }
      assertTrue(spares().size() <= 1, "at most one spare: " + spares());
      assertTrue(store.verify().ok(), store.verify().toString());

      Versioned<ObjectNode> next = store.update(FaultInjectionTest::increment);
      assertEquals(before + 2, next.revision());
      assertEquals(before + 1, next.value().get("counter").asInt());
      assertEquals(before + 2, store.history().size());
      assertTrue(store.verify().ok(), store.verify().toString());
    }
    assertEquals(List.of(), spares(), "no spare left once closed");
  }

  private List<Path> spares() throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .filter(p -> p.getFileName().toString().startsWith(".state.yaml.spare-"))
          .toList();
    }
  }

  /**
   * Both syncs of the commit fail: one failure reaches the caller, the other is suppressed in it.
   */
  @Test
  void bothSyncsFailingLeaveThePreviousRevisionIntact() throws Exception {
    FaultyFiles files = new FaultyFiles();
    Path file = dir.resolve("state.yaml");
    Path log = dir.resolve("state.yaml.changes.jsonl");
    try (DocumentStore<ObjectNode> store = open(files)) {
      createAndUpdate(store, 1);
      byte[] document = Files.readAllBytes(file);
      byte[] logBytes = Files.readAllBytes(log);

      files.failNth(FaultyFiles.Kind.SYNC, 2, false);
      files.alsoFailNth(FaultyFiles.Kind.DIRECTORY_SYNC, 1);
      IOException e =
          assertThrows(IOException.class, () -> store.update(FaultInjectionTest::increment));
      files.heal();
      String all =
          e.getMessage()
              + " "
              + e.getCause()
              + " "
              + Arrays.toString(e.getCause().getSuppressed())
              + Arrays.toString(e.getSuppressed());
      assertTrue(all.contains("injected SYNC fault"), all);
      assertTrue(all.contains("injected DIRECTORY_SYNC fault"), all);
      assertTrue(e.getMessage().contains("the write was undone"), e.getMessage());

      assertArrayEquals(document, Files.readAllBytes(file), "the document is as it was");
      assertArrayEquals(logBytes, Files.readAllBytes(log), "the log is as it was");
      assertTrue(store.verify().ok(), store.verify().toString());
      assertEquals(3, store.update(FaultInjectionTest::increment).revision());
    }
  }

  /**
   * The directory's fsync and the log's fdatasync run at the same time: each waits for the other to
   * start and fails if it does not (shown to fail, after the 5 s wait, with the two run in series).
   */
  @Test
  void theDirectoryAndTheLogAreSyncedTogether() throws Exception {
    FaultyFiles files = new FaultyFiles();
    try (DocumentStore<ObjectNode> store = open(files)) {
      files.resetCounts();
      files.requireOverlap(Duration.ofSeconds(5));
      createAndUpdate(store, 3);
      files.heal();
      assertEquals(4, store.read().revision());
      assertEquals(4, files.count(FaultyFiles.Kind.DIRECTORY_SYNC), "one per commit");
      assertTrue(store.verify().ok(), store.verify().toString());
    }
  }

  private DocumentStore<ObjectNode> open(FaultyFiles files) throws IOException {
    return FileDocumentStore.open(
        dir.resolve("state.yaml"), DocumentCodecs.yaml(), DocumentOptions.defaults(), files);
  }

  /** Creates the document (revision 1) and commits {@code updates} increments. */
  private static void createAndUpdate(DocumentStore<ObjectNode> store, int updates)
      throws IOException, InterruptedException {
    store.createIfAbsent((ObjectNode) ChangeLog.JSON.readTree("{\"counter\":0}"));
    for (int i = 0; i < updates; i++) {
      store.update(FaultInjectionTest::increment);
    }
  }

  private static ObjectNode increment(ObjectNode d) {
    return d.put("counter", d.get("counter").asInt() + 1);
  }
}
