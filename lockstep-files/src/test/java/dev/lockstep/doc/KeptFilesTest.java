package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.lock.LockTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a store keeps between updates to spare system calls — the lock file's descriptor, the
 * document's permissions read with its content — never outlives a change made by another program.
 */
class KeptFilesTest {
  private static final Duration START = Duration.ofSeconds(30);

  @TempDir Path dir;

  private static ObjectNode increment(ObjectNode d) {
    return d.put("counter", d.get("counter").asInt() + 1);
  }

  private DocumentStore<ObjectNode> open(Path file, DocumentOptions options) throws Exception {
    DocumentStore<ObjectNode> store = DocumentStore.open(file, DocumentCodecs.yaml(), options);
    store.createIfAbsent((ObjectNode) ChangeLog.JSON.readTree("{\"counter\":0}"));
    return store;
  }

  /**
   * Every update gives the new document the permissions the old one has at that moment, whether the
   * umask would let them through (0600, 0640: created with them) or not (0666: chmod after), and
   * whether its temp file is new or the spare a previous commit kept (from revision 6 on).
   *
   * <p>Checked against two broken variants: CommitWriter dropping the permissions, and the
   * permissions read once per engine and cached; with either, the first assertion failed
   * ("rw-------" expected, "rw-r--r--" found); and the spare's rewrite skipping its chmod, which
   * failed at revision 6.
   */
  @Test
  void theDocumentKeepsThePermissionsItHasNow() throws Exception {
    Path file = dir.resolve("state.yaml");
    try (DocumentStore<ObjectNode> store = open(file, DocumentOptions.defaults())) {
      store.update(KeptFilesTest::increment);
      for (String mode :
          List.of(
              "rw-------",
              "rw-r-----",
              "rw-rw-rw-",
              "rw-------",
              "rw-r-----",
              "rw-rw-r--",
              "rw-------")) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        store.update(KeptFilesTest::increment);
        assertEquals(
            mode,
            PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
            "after update");
      }
      assertEquals(9, store.read().revision());
    }
  }

  /**
   * The lock file is deleted between two updates (a "stale lock cleanup") and another process locks
   * the new file at the path: the store's next update must wait for it, not commit under the
   * descriptor it kept open of the deleted file.
   *
   * <p>Checked against a broken variant of KernelFileLock that trusted the kept descriptor
   * (skipping the device/inode check after the grant): the update locked the deleted file while
   * flock(1) held the new one, and only the isValid() check before the commit point refused it
   * (LockLostException instead of the expected wait and LockTimeoutException).
   */
  @Test
  void aLockFileDeletedBetweenUpdatesIsNotLockedAgain() throws Exception {
    Path file = dir.resolve("state.yaml");
    Path lockFile = dir.resolve("state.yaml.lock");
    DocumentOptions options =
        DocumentOptions.defaults()
            .withLockTimeout(Duration.ofMillis(100))
            .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(5));
    try (DocumentStore<ObjectNode> store = open(file, options)) {
      store.update(KeptFilesTest::increment);
      Files.delete(lockFile);
      try (Procs holder =
          Procs.start(
              List.of(
                  "flock",
                  lockFile.toString(),
                  "sh",
                  "-c",
                  "echo locked $PPID; exec cat >/dev/null"))) {
        holder.awaitLine("locked", START);
        assertThrows(LockTimeoutException.class, () -> store.update(KeptFilesTest::increment));
        assertEquals(2, store.read().revision());
        holder.process().getOutputStream().close();
        holder.waitFor(START);
      }
      assertEquals(3, store.update(KeptFilesTest::increment).revision());
    }
  }
}
