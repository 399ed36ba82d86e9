package dev.lockstep.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lock file this process may read but not write (another user's 0644 file, a read-only file
 * system) can be locked, as {@code flock(1)} locks it: flock(2) and POSIX read locks work on a
 * read-only descriptor. A POSIX write lock needs a writable one and fails with a clear error.
 *
 * <p>How the file is made unwritable: permission bits do not stop root, so as root (the usual CI
 * container) the file is made immutable with {@code chattr +i}, which makes {@code open(O_RDWR)}
 * fail with EPERM even for root while {@code O_RDONLY} works; as any other user it is chmod 0555,
 * which makes it fail with EACCES. (Checked by hand as well, as root and then with {@code runuser
 * -u nobody}, through the CLI.) Seen failing on the old code, which opened only with O_RDWR:
 * "cannot open lock file ...: Operation not permitted (errno 1)".
 */
class ReadOnlyLockFileTest {
  private static final Duration RUN = Duration.ofSeconds(20);

  @TempDir Path dir;
  private final List<Path> madeReadOnly = new ArrayList<>();

  /**
   * Makes {@code path} (a file or a directory) unwritable for this process, until the test ends.
   */
  private Path readOnly(Path path) throws Exception {
    if (isRoot()) {
      Assumptions.assumeTrue(chattr("+i", path), "chattr +i is not available here");
    } else {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("r-xr-xr-x"));
    }
    madeReadOnly.add(path);
    return path;
  }

  @AfterEach
  void writableAgain() throws Exception {
    for (Path p : madeReadOnly) { // or the temp directory cannot be deleted
      if (isRoot()) {
        chattr("-i", p);
      } else {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
  }

  static boolean isRoot() throws IOException {
    return "0".equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString());
  }

  static boolean chattr(String flag, Path file) throws Exception {
    try {
      return Peer.run(List.of("chattr", flag, file.toString()), RUN) == 0;
    } catch (IOException noChattr) {
      return false;
    }
  }

  @Test
  void aFileThatCannotBeWrittenIsLockedReadOnlyAndExcludesFlockCommand() throws Exception {
    Path file = readOnly(Files.writeString(dir.resolve("ro.lock"), ""));
    try (FileLockHandle h = FileLock.of(file).acquire(Duration.ofSeconds(5))) {
      assertTrue(h.isValid());
      assertEquals(1, Peer.run(List.of("flock", "-n", file.toString(), "true"), RUN));
      assertEquals(1, Peer.run(List.of("flock", "-n", "-s", file.toString(), "true"), RUN));
    }
    assertEquals(0, Peer.run(List.of("flock", "-n", file.toString(), "true"), RUN));
    try (FileLockHandle h = FileLock.of(file).acquireShared(Duration.ofSeconds(5))) {
      assertTrue(h.isValid());
      assertEquals(0, Peer.run(List.of("flock", "-n", "-s", file.toString(), "true"), RUN));
      assertEquals(1, Peer.run(List.of("flock", "-n", file.toString(), "true"), RUN));
    }
    Optional<FileLockHandle> again = FileLock.of(file).tryAcquire();
    assertTrue(again.isPresent());
    again.get().close();
  }

  @Test
  void posixReadLocksWorkAndPosixWriteLocksSayWhyNot() throws Exception {
    Path file = readOnly(Files.writeString(dir.resolve("posix.lock"), ""));
    FileLock posix = FileLock.of(file, FileLockMode.POSIX);
    try (FileLockHandle h = posix.acquireShared(Duration.ofSeconds(5))) {
      assertTrue(h.isValid());
    }
    IOException e = assertThrows(IOException.class, () -> posix.acquire(Duration.ofSeconds(5)));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("read-only"), e.getMessage());
    assertTrue(e.getMessage().contains("POSIX write lock"), e.getMessage());
    assertThrows(IOException.class, posix::tryAcquire);
    assertEquals(0, LockFileTable.INSTANCE.openFiles(), "nothing left open");
  }

  /** Without write access to the directory, a missing lock file still cannot be created. */
  @Test
  void aMissingFileInADirectoryThatCannotBeWrittenIsStillAnError() throws Exception {
    Path sub = readOnly(Files.createDirectory(dir.resolve("sub")));
    Path file = sub.resolve("x.lock");
    IOException e =
        assertThrows(IOException.class, () -> FileLock.of(file).acquire(Duration.ofSeconds(1)));
    assertTrue(e.getMessage().startsWith("cannot open lock file " + file), e.getMessage());
    assertTrue(Files.notExists(file));
  }
}
