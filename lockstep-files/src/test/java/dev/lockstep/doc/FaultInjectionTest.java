package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every write, fsync and rename of a commit fails in turn (and the disk fills up during each
 * write): the caller gets an IOException naming the file, the previous revision and its log stay
 * exactly as they were, no temp file is left, and the next update succeeds with the next revision.
 *
 * <p>A commit with three backups does: write 1 the temp file, sync 1 the temp file, rename 1 and 2
 * the backups, rename 3 the temp file over the document, sync 2 the directory, write 2 the log
 * line, sync 3 the log. Faults after the rename are undone by renaming backup 1 back.
 *
 * <p>Checked against a broken variant: without the undo in CommitWriter ({@code undoAfter}
 * returning the cause without renaming back), the write-2 (both), sync-2 and sync-3 cases fail (the
 * document holds the refused revision).
 */
class FaultInjectionTest {
  @TempDir Path dir;

  static Stream<Arguments> faults() {
    return Stream.of(
        Arguments.of(FaultyFiles.Kind.WRITE, 1, false),
        Arguments.of(FaultyFiles.Kind.WRITE, 1, true),
        Arguments.of(FaultyFiles.Kind.WRITE, 2, false),
        Arguments.of(FaultyFiles.Kind.WRITE, 2, true),
        Arguments.of(FaultyFiles.Kind.SYNC, 1, false),
        Arguments.of(FaultyFiles.Kind.SYNC, 2, false),
        Arguments.of(FaultyFiles.Kind.SYNC, 3, false),
        Arguments.of(FaultyFiles.Kind.RENAME, 1, false),
        Arguments.of(FaultyFiles.Kind.RENAME, 2, false),
        Arguments.of(FaultyFiles.Kind.RENAME, 3, false));
  }

  @ParameterizedTest(name = "{0} #{1} diskFull={2}")
  @MethodSource("faults")
  void aFailedStepLeavesThePreviousRevisionIntact(FaultyFiles.Kind kind, int n, boolean diskFull)
      throws Exception {
    FaultyFiles files = new FaultyFiles();
    Path file = dir.resolve("state.yaml");
    Path log = dir.resolve("state.yaml.changes.jsonl");
    try (DocumentStore<ObjectNode> store =
        FileDocumentStore.open(file, DocumentCodecs.yaml(), DocumentOptions.defaults(), files)) {
      store.createIfAbsent((ObjectNode) ChangeLog.JSON.readTree("{\"counter\":0}"));
      for (int i = 0; i < 3; i++) {
        store.update(FaultInjectionTest::increment);
      }
      byte[] document = Files.readAllBytes(file);
      byte[] logBytes = Files.readAllBytes(log);

      files.failNth(kind, n, diskFull);
      IOException e =
          assertThrows(IOException.class, () -> store.update(FaultInjectionTest::increment));
      files.heal();
      String message = e.getMessage();
      assertTrue(message.contains("state.yaml") || message.contains(dir.toString()), message);
      assertTrue(message.contains(diskFull ? "No space left" : "injected"), message);

      assertArrayEquals(document, Files.readAllBytes(file), "the document is as it was");
      assertArrayEquals(logBytes, Files.readAllBytes(log), "the log is as it was");
      try (Stream<Path> entries = Files.list(dir)) {
        List<Path> temps =
            entries.filter(p -> p.getFileName().toString().startsWith(".state.yaml.tmp-")).toList();
        assertEquals(List.of(), temps, "no temp file left");
      }
      assertTrue(store.verify().ok(), store.verify().toString());

      Versioned<ObjectNode> next = store.update(FaultInjectionTest::increment);
      assertEquals(5, next.revision());
      assertEquals(4, next.value().get("counter").asInt());
      assertEquals(5, store.history().size());
      assertTrue(store.verify().ok(), store.verify().toString());
    }
  }

  private static ObjectNode increment(ObjectNode d) {
    return d.put("counter", d.get("counter").asInt() + 1);
  }
}
