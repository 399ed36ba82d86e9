package dev.lockstep.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.lock.LockTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java and util-linux {@code flock(1)} exclude each other, exclusive and shared.
 *
 * <p>Checked against a broken variant: taking the kernel lock as {@code LOCK_SH} for exclusive
 * acquisitions makes {@link #javaExclusiveExcludesFlockCommand} fail ({@code flock -s -n} gets in)
 * and {@link #flockCommandExcludesJava} fail (Java gets in beside a shared flock(1) holder).
 */
class FlockCommandInteropTest {
  private static final Duration RUN = Duration.ofSeconds(20);

  @TempDir Path dir;

  private static List<String> flockNonBlocking(Path file, boolean shared) {
    return shared
        ? List.of("flock", "-n", "-s", file.toString(), "true")
        : List.of("flock", "-n", file.toString(), "true");
  }

  @Test
  void javaExclusiveExcludesFlockCommand() throws Exception {
    Path file = dir.resolve("x.lock");
    try (FileLockHandle h = FileLock.of(file).acquire(Duration.ofSeconds(5))) {
      assertEquals(1, Peer.run(flockNonBlocking(file, false), RUN));
      assertEquals(1, Peer.run(flockNonBlocking(file, true), RUN));
    }
    assertEquals(0, Peer.run(flockNonBlocking(file, false), RUN));
  }

  @Test
  void javaSharedAdmitsSharedFlockCommandOnly() throws Exception {
    Path file = dir.resolve("x.lock");
    try (FileLockHandle a = FileLock.of(file).acquireShared(Duration.ofSeconds(5));
        FileLockHandle b = FileLock.of(file).acquireShared(Duration.ofSeconds(5))) {
      assertEquals(0, Peer.run(flockNonBlocking(file, true), RUN));
      assertEquals(1, Peer.run(flockNonBlocking(file, false), RUN));
      a.close();
      // One of this JVM's readers is left: the shared kernel lock must still be there.
      assertEquals(1, Peer.run(flockNonBlocking(file, false), RUN));
      b.close();
    }
    assertEquals(0, Peer.run(flockNonBlocking(file, false), RUN));
  }

  @Test
  void flockCommandExcludesJava() throws Exception {
    Path file = dir.resolve("x.lock");
    FileLock lock = FileLock.of(file);
    try (Peer exclusive = Peer.flock(file, false)) {
      long pid = exclusive.awaitLocked(RUN);
      assertTrue(lock.tryAcquire().isEmpty());
      assertTrue(lock.tryAcquireShared().isEmpty());
      LockTimeoutException e =
          assertThrows(
              LockTimeoutException.class, () -> lock.acquireShared(Duration.ofMillis(100)));
      assertTrue(e.getMessage().contains("pid " + pid + " (flock)"), e.getMessage());
      exclusive.release();
    }
    try (Peer shared = Peer.flock(file, true)) {
      shared.awaitLocked(RUN);
      assertTrue(lock.tryAcquire().isEmpty(), "a shared flock(1) holder excludes a writer");
      lock.tryAcquireShared().orElseThrow().close();
      shared.release();
    }
    lock.tryAcquire().orElseThrow().close();
  }
}
