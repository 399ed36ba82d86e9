package dev.lockstep.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lockstep.lock.LockTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java and Python's {@code filelock} exclude each other on one lock file, both ways.
 *
 * <p>Checked against a broken variant: with {@link FileLockMode#POSIX} (what {@code
 * FileChannel.lock} takes) in place of {@code FLOCK}, both tests fail — Java's tryAcquire succeeds
 * while Python holds, and Python acquires while Java holds.
 */
class PythonInteropTest {
  private static final Duration START = Duration.ofSeconds(20);

  @TempDir Path dir;

  @BeforeAll
  static void pythonFilelockIsInstalled() throws Exception {
    assumeTrue(
        Peer.run(List.of(Peer.PYTHON, "-c", "import filelock"), START) == 0,
        "needs /usr/bin/python3 with python3-filelock (apt-get install python3-filelock)");
  }

  @Test
  void pythonHoldingExcludesJavaAndTheTimeoutNamesPythonsPid() throws Exception {
    Path file = dir.resolve("state.yaml.lock");
    FileLock lock = FileLock.of(file);
    try (Peer python = Peer.python(file)) {
      long pid = python.awaitLocked(START);

      assertTrue(lock.tryAcquire().isEmpty(), "tryAcquire must fail while Python holds");
      LockTimeoutException e =
          assertThrows(LockTimeoutException.class, () -> lock.acquire(Duration.ofMillis(200)));
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("pid " + pid + " (python3)"), e.getMessage());
      assertEquals("pid " + pid + " (python3)", e.holder());

      python.release();
      try (FileLockHandle h = lock.acquire(Duration.ofSeconds(5))) {
        assertTrue(h.isValid());
      }
    }
  }

  @Test
  void javaHoldingMakesPythonTimeOut() throws Exception {
    Path file = dir.resolve("STATE.md.lock");
    String tryLock =
        String.join(
            "\n",
            "import sys, filelock",
            "try:",
            "    filelock.FileLock(sys.argv[1]).acquire(timeout=0.2)",
            "except filelock.Timeout:",
            "    sys.exit(3)",
            "sys.exit(0)");
    List<String> python = List.of(Peer.PYTHON, "-c", tryLock, file.toString());
    try (FileLockHandle h = FileLock.of(file).acquire(Duration.ofSeconds(5))) {
      assertEquals(3, Peer.run(python, START), "Python must time out while Java holds");
    }
    assertEquals(0, Peer.run(python, START), "Python gets the lock once Java released it");
  }
}
