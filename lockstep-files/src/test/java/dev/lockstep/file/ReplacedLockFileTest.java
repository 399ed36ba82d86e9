package dev.lockstep.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lock files deleted or replaced by other programs (as agent frameworks that "clean up" lock files
 * do) never let two holders in through us: a waiter re-checks the file after the kernel grants the
 * lock, and a holder sees the change in {@link FileLockHandle#isValid()}.
 */
class ReplacedLockFileTest {
  private static final Duration START = Duration.ofSeconds(20);

  @TempDir Path dir;

  /**
   * A Java waiter has the old file open when it is deleted and a newcomer locks the new file at the
   * path. When the old holder leaves, the waiter must not enter on the old file (the newcomer holds
   * "the" lock); it moves to the new file and enters after the newcomer.
   *
   * <p>Checked against a broken variant that skips the device/inode check after the kernel grant:
   * the waiter enters on the deleted file while the newcomer holds the new one, and the test fails
   * on "entered while the newcomer holds the lock".
   */
  @Test
  void aWaiterOnTheDeletedFileNeverEntersOnIt() throws Exception {
    Path file = dir.resolve("state.yaml.lock");
    try (Peer oldHolder = Peer.flock(file, false)) {
      oldHolder.awaitLocked(START);
      CompletableFuture<FileLockHandle> waiter =
          FileLock.of(file).acquireAsync(Duration.ofSeconds(30));
      FileLockTest.awaitOpenFiles(1); // the waiter has the old file open and polls its lock
      Thread.sleep(50);

      Files.delete(file); // a "stale lock cleanup"
      try (Peer newcomer = Peer.flock(file, false)) {
        newcomer.awaitLocked(START); // created a new file at the path and locked it
        oldHolder.release();
        Thread.sleep(400); // many polls: the old file is free now
        assertFalse(waiter.isDone(), "entered while the newcomer holds the lock");

        newcomer.release();
        try (FileLockHandle h = waiter.get(10, TimeUnit.SECONDS)) {
          assertTrue(h.isValid());
          assertEquals(FileKey.atPath(file), FileKey.ofDescriptor(descriptorOf(file)));
        }
      }
    }
  }

  @Test
  void isValidTurnsFalseWhenTheFileIsDeletedOrReplaced() throws Exception {
    Path file = dir.resolve("STATE.md.lock");
    FileLock lock = FileLock.of(file);
    try (FileLockHandle h = lock.acquire(START)) {
      assertTrue(h.isValid());
      Files.delete(file);
      assertFalse(h.isValid(), "deleted");
      // A newcomer now locks a new file at the path: the exclusion is gone, as isValid said.
      try (FileLockHandle other = lock.acquire(START)) {
        assertTrue(other.isValid());
      }
    }
    try (FileLockHandle h = lock.acquire(START)) {
      Path replacement = Files.writeString(dir.resolve("new"), "");
      Files.move(replacement, file, StandardCopyOption.REPLACE_EXISTING);
      assertFalse(h.isValid(), "replaced by a rename");
    }
    try (FileLockHandle h = lock.acquire(START)) {
      Files.writeString(file, "owner notes"); // writing into the file keeps it the same file
      assertTrue(h.isValid());
    }
  }

  /** This process's descriptor of the lock file at the path (a link in /proc/self/fd). */
  private static int descriptorOf(Path file) throws Exception {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          if (Files.readSymbolicLink(fd).equals(file)) {
            return Integer.parseInt(fd.getFileName().toString());
          }
        } catch (java.io.IOException gone) {
          // closed meanwhile
        }
      }
    }
    throw new AssertionError("no descriptor of " + file);
  }
}
