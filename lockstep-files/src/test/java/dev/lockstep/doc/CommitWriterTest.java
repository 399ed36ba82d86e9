package dev.lockstep.doc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.file.FileLock;
import dev.lockstep.file.FileLockHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch's log lines, computed beside the temp file's write ({@link BatchLines}), are asked for
 * once the temp file holds the new content and before anything the document's readers see changes;
 * a failure to get them leaves the document, its backups and its log as they were, and no temp
 * file. Shown to fail with the lines asked for after the rename over the document (in {@code
 * CommitWriter.commit}, after {@code write}): the supplier saw the new document, and after its
 * failure the document held the new content with no log line.
 */
class CommitWriterTest {
  @TempDir Path dir;

  @Test
  void linesAreTakenBeforeTheRenameAndTheirFailureWritesNothing() throws Exception {
    Path doc = dir.resolve("state.yaml");
    Files.writeString(doc, "revision: 1\n");
    DocumentFilesLayout layout = DocumentFilesLayout.of(doc, DocumentOptions.defaults());
    CommitWriter writer = new CommitWriter(layout, DocumentFiles.REAL, true);
    try (ChangeLog log = new ChangeLog(layout.changeLog(), DocumentFiles.REAL);
        FileLockHandle lock = FileLock.of(layout.lockFile()).acquire(Duration.ofSeconds(5))) {
      byte[] second = "revision: 2\n".getBytes(UTF_8);
      Change change =
          new Change(
              2,
              Instant.now(),
              1,
              "h",
              "",
              Change.Operation.UPDATE,
              Optional.empty(),
              Optional.of("revision: 2\n"),
              Hashes.sha256(second));
      writer.commit(
          second,
          true,
          Files.getPosixFilePermissions(doc),
          lock,
          () -> {
            // the temp file is written, the document not yet replaced
            assertEquals("revision: 1\n", read(doc));
            assertTrue(others(doc).stream().anyMatch(p -> read(p).equals("revision: 2\n")));
            return new CommitWriter.LogLines(log, List.of(ChangeLog.format(change)), change);
          });
      assertEquals("revision: 2\n", read(doc));
      assertEquals("revision: 1\n", read(layout.backup(1)));
      long logSize = Files.size(layout.changeLog());
      List<Path> before = others(doc);

      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  writer.commit(
                      "revision: 3\n".getBytes(UTF_8),
                      true,
                      Files.getPosixFilePermissions(doc),
                      lock,
                      () -> {
                        throw new IllegalStateException("no lines");
                      }));
      assertEquals("no lines", e.getMessage());
      assertEquals("revision: 2\n", read(doc), "the document is as it was");
      assertEquals("revision: 1\n", read(layout.backup(1)), "the backups too");
      assertFalse(Files.exists(layout.backup(2)), "no rotation left over");
      assertEquals(logSize, Files.size(layout.changeLog()), "no log line");
      List<Path> after = others(doc);
      assertTrue(
          after.stream().noneMatch(p -> p.getFileName().toString().startsWith(".state.yaml.tmp")),
          "no temp file: " + after);
      assertTrue(before.containsAll(after), before + " vs " + after);
    } finally {
      writer.close();
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The files beside the document other than itself, its lock, log and backups. */
  private static List<Path> others(Path doc) {
    try (Stream<Path> entries = Files.list(doc.getParent())) {
      return entries
          .filter(p -> p.getFileName().toString().startsWith(".state.yaml."))
          .sorted()
          .toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
