package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.file.FileLock;
import dev.lockstep.file.FileLockHandle;
import dev.lockstep.lock.LockTimeoutException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A document opened through a symbolic link is its target: commits write the target (the link stays
 * a link), and the lock file, backups and change log are the target's, so a store on the link and
 * one on the target (or Python's filelock on the target's lock) exclude each other.
 *
 * <p>Seen failing on the old code, which resolved only the directory: the link became a regular
 * file, the target kept its content, and link.yaml.lock was a second lock.
 */
class SymlinkedDocumentTest {
  @TempDir Path dir;

  private static ObjectNode obj(String json) throws IOException {
    return (ObjectNode) ChangeLog.JSON.readTree(json);
  }

  private static ObjectNode increment(ObjectNode d) {
    return d.put("a", d.get("a").asInt() + 1);
  }

  private List<String> names(Path d) throws IOException {
    try (Stream<Path> entries = Files.list(d)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aCommitThroughALinkWritesItsTargetAndKeepsTheLink() throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Path real = shared.resolve("real.yaml");
    try (DocumentStore<ObjectNode> s = DocumentStore.open(real, DocumentCodecs.yaml())) {
      s.createIfAbsent(obj("{\"a\":1}"));
    }
    Path link = Files.createSymbolicLink(dir.resolve("link.yaml"), Path.of("shared/real.yaml"));
    Path chain = Files.createSymbolicLink(dir.resolve("chain.yaml"), link);
    try (DocumentStore<ObjectNode> s = DocumentStore.open(link, DocumentCodecs.yaml())) {
      assertEquals(link, s.path(), "path() is the path as given");
      assertEquals(2, s.update(SymlinkedDocumentTest::increment).revision());
    }
    try (DocumentStore<ObjectNode> s = DocumentStore.open(chain, DocumentCodecs.yaml())) {
      assertEquals(3, s.update(SymlinkedDocumentTest::increment).revision());
      assertTrue(s.verify().ok(), s.verify().toString());
    }
    assertTrue(Files.isSymbolicLink(link), "the link is still a link");
    assertTrue(Files.isSymbolicLink(chain));
    assertEquals("revision: 3\na: 3\n", Files.readString(real));
    assertEquals(List.of("chain.yaml", "link.yaml", "shared"), names(dir), "no second lock file");
    assertEquals(
        List.of(
            "real.yaml",
            "real.yaml.backup.1",
            "real.yaml.backup.2",
            "real.yaml.changes.jsonl",
            "real.yaml.lock"),
        names(shared));
    try (DocumentStore<ObjectNode> s = DocumentStore.open(real, DocumentCodecs.yaml())) {
      assertEquals(3, s.history().size(), "one change log");
    }
  }

  /** Both names take one lock: the target's {@code real.yaml.lock}. */
  @Test
  void theLinkAndItsTargetShareOneLock() throws Exception {
    Path real = dir.resolve("real.json");
    Path link = Files.createSymbolicLink(dir.resolve("link.json"), real.getFileName());
    DocumentOptions quick =
        DocumentOptions.defaults()
            .withLockTimeout(Duration.ofMillis(100))
            .withRetries(0, Duration.ZERO, Duration.ZERO, Duration.ofMillis(100));
    try (DocumentStore<ObjectNode> s = DocumentStore.open(link, DocumentCodecs.json(), quick)) {
      s.createIfAbsent(obj("{\"a\":1}")); // through a dangling link: creates the target
      assertTrue(Files.isSymbolicLink(link));
      assertTrue(Files.isRegularFile(real, java.nio.file.LinkOption.NOFOLLOW_LINKS));
      try (FileLockHandle held =
          FileLock.of(dir.resolve("real.json.lock")).acquireAsync(Duration.ofSeconds(5)).get()) {
        assertTrue(held.isValid());
        assertThrows(LockTimeoutException.class, () -> s.update(SymlinkedDocumentTest::increment));
      }
      assertEquals(2, s.update(SymlinkedDocumentTest::increment).revision());
    }
    assertTrue(Files.notExists(dir.resolve("link.json.lock")));
  }

  @Test
  void aLinkLoopIsRefused() throws Exception {
    Path a = dir.resolve("a.yaml");
    Files.createSymbolicLink(a, Path.of("b.yaml"));
    Files.createSymbolicLink(dir.resolve("b.yaml"), Path.of("a.yaml"));
    FileSystemException e =
        assertThrows(
            FileSystemException.class, () -> DocumentStore.open(a, DocumentCodecs.yaml()).close());
    assertTrue(e.getMessage().contains("a.yaml"), e.getMessage());
  }
}
