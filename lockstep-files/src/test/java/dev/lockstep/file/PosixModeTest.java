package dev.lockstep.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.lock.LockTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileLockMode#POSIX} excludes {@code FileChannel.lock} in another JVM, both ways; {@link
 * FileLockMode#FLOCK} does not (the two kinds never see each other on Linux, which is why the mode
 * is explicit).
 *
 * <p>Checked against a broken variant: with {@code flock} used for both modes, the first two tests
 * fail (the child's {@code FileChannel.lock} and our lock both get in).
 */
class PosixModeTest {
  private static final Duration START = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void childJvmFileChannelLockExcludesPosixMode() throws Exception {
    Path file = dir.resolve("posix.lock");
    FileLock lock = FileLock.of(file, FileLockMode.POSIX);
    try (Peer child = Peer.jvm("channel", file.toString())) {
      long pid = child.awaitLocked(START);
      assertTrue(lock.tryAcquire().isEmpty());
      assertTrue(lock.tryAcquireShared().isEmpty());
      LockTimeoutException e =
          assertThrows(LockTimeoutException.class, () -> lock.acquire(Duration.ofMillis(100)));
      assertTrue(e.getMessage().contains("pid " + pid), e.getMessage());
      assertTrue(e.getMessage().contains("(posix)"), e.getMessage());
      child.release();
    }
    lock.acquire(Duration.ofSeconds(5)).close();
  }

  @Test
  void posixModeExcludesChildJvmFileChannelLock() throws Exception {
    Path file = dir.resolve("posix.lock");
    try (FileLockHandle h = FileLock.of(file, FileLockMode.POSIX).acquire(Duration.ofSeconds(5));
        Peer child = Peer.jvm("channel", file.toString())) {
      Thread.sleep(1_000); // the child starts and blocks in FileChannel.lock
      assertTrue(child.process().isAlive());
      assertEquals(
          "pid " + ProcessHandle.current().pid() + " (this JVM)",
          ProcLocks.holders(FileKey.atPath(file), FileLockMode.POSIX),
          "only we hold the lock; the child waits");
      h.close();
      child.awaitLocked(START); // and gets in once we release
      child.release();
    }
  }

  @Test
  void flockModeAndPosixModeDoNotSeeEachOther() throws Exception {
    Path file = dir.resolve("mixed.lock");
    try (FileLockHandle posix = FileLock.of(file, FileLockMode.POSIX).acquire(START);
        Peer flock = Peer.flock(file, false)) {
      flock.awaitLocked(START); // a flock(1) holder gets in beside a POSIX holder
      flock.release();
    }
  }
}
