package dev.lockstep.file;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.lock.LockTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A holder killed with SIGKILL leaves no stale lock: the kernel releases it, and the lock file,
 * still there, is simply locked again. Nobody cleans anything up.
 *
 * <p>Checked against a broken variant: stopping the child with SIGSTOP instead of SIGKILL (the
 * holder is alive but frozen) makes the acquisition after the "kill" time out naming the child,
 * naming the child: the test does see a live holder.
 */
class ProcessDeathTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(FileLockMode.class)
  void aKilledHoldersLockIsReleasedByTheKernel(FileLockMode mode) throws Exception {
    Path file = dir.resolve("crash.lock");
    FileLock lock = FileLock.of(file, mode);
    try (Peer child = Peer.jvm(mode.name().toLowerCase(java.util.Locale.ROOT), file.toString())) {
      long pid = child.awaitLocked(Duration.ofSeconds(30));
      LockTimeoutException e =
          assertThrows(LockTimeoutException.class, () -> lock.acquire(Duration.ofMillis(50)));
      assertTrue(e.getMessage().contains("pid " + pid), e.getMessage());

      assertTrue(
          Peer.run(List.of("kill", "-KILL", Long.toString(pid)), Duration.ofSeconds(10)) == 0);
      try (FileLockHandle h = lock.acquire(Duration.ofSeconds(30))) {
        assertTrue(h.isValid(), "the same lock file, locked again");
      }
      assertTrue(child.process().waitFor(10, TimeUnit.SECONDS));
    }
  }
}
