package dev.lockstep.file;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The JVM-wide table of open lock files: one descriptor per file (device + inode), shared by every
 * hold and wait on it and closed when the last one leaves.
 *
 * <p>One descriptor, because {@code flock} locks belong to an open file description (two
 * descriptors of one file opened separately in one process would conflict with each other) and
 * POSIX locks belong to the process (closing any descriptor of the file drops them all). For the
 * second reason a descriptor is never closed while another of the same file may hold a lock, so
 * opening, joining and closing all happen under one lock; these are short system calls.
 */
final class LockFileTable {
  static final LockFileTable INSTANCE = new LockFileTable();

  private static final Charset FILE_NAMES = fileNameCharset();

  private final ReentrantLock lock = new ReentrantLock();
  private final Map<FileKey, OpenLockFile> open = new HashMap<>();

  /**
   * The file at {@code path} now, created empty if missing (opened read-only if it exists and may
   * not be written, see {@link OpenLockFile#readOnly}), as an entry the caller must give back with
   * {@link #release}.
   */
  OpenLockFile open(Path path) throws IOException {
    lock.lock();
    try {
      FileKey atPath = FileKey.atPath(path);
      OpenLockFile known = atPath == null ? null : open.get(atPath);
      if (known != null) {
        known.users++;
        return known;
      }
      String[] readOnly = new String[1];
      int fd = openDescriptor(path, readOnly);
      FileKey key;
      try {
        key = FileKey.ofDescriptor(fd);
      } catch (IOException | RuntimeException e) {
        closeQuietly(fd);
        throw e;
      }
      known = open.get(key);
      if (known != null) { // the file at the path was replaced by one we have open already
        known.spares.add(fd);
        known.users++;
        return known;
      }
      OpenLockFile file = new OpenLockFile(key, fd, readOnly[0]);
      file.users = 1;
      open.put(key, file);
      return file;
    } finally {
      lock.unlock();
    }
  }

  /** One more user of an entry the caller already uses (given back with {@link #release}). */
  void retain(OpenLockFile file) {
    lock.lock();
    try {
      file.users++;
    } finally {
      lock.unlock();
    }
  }

  /** Gives back an entry from {@link #open}; the last user closes its descriptors. */
  void release(OpenLockFile file) {
    lock.lock();
    try {
      if (--file.users == 0) {
        open.remove(file.key);
        closeQuietly(file.fd);
        for (int spare : file.spares) {
          closeQuietly(spare);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** How many lock files this JVM has open (for tests). */
  int openFiles() {
    lock.lock();
    try {
      return open.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Opens (creating it if missing) the file for reading and writing or, if it exists and that is
   * refused (another user's file, an immutable file, a read-only file system), for reading only, as
   * {@code flock(1)} does: flock(2) works on any descriptor. {@code readOnly[0]} is then set to
   * why.
   */
  private static int openDescriptor(Path path, String[] readOnly) throws IOException {
    byte[] name = path.toAbsolutePath().toString().getBytes(FILE_NAMES);
    byte[] cName = new byte[name.length + 1]; // NUL-terminated
    System.arraycopy(name, 0, cName, 0, name.length);
    try {
      // 0666 before the umask, like touch(1), flock(1) and Python's filelock.
      return LibC.open(cName, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0666);
    } catch (LastErrorException e) {
      int errno = e.getErrorCode();
      if (errno == LibC.EACCES || errno == LibC.EPERM || errno == LibC.EROFS) {
        try {
          int fd = LibC.open(cName, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
          readOnly[0] = LibC.describe(e);
          return fd;
        } catch (LastErrorException alsoRefused) {
          // missing (and not creatable) or not readable either: the first error says why
        }
      }
      throw new IOException("cannot open lock file " + path + ": " + LibC.describe(e), e);
    }
  }

  private static void closeQuietly(int fd) {
    try {
      LibC.close(fd);
    } catch (LastErrorException ignored) {
      // close(2) releases the descriptor even when it reports an error
    }
  }

  /** The charset the JDK uses for file names, so that we open the file Java would. */
  private static Charset fileNameCharset() {
    String name = System.getProperty("sun.jnu.encoding");
    try {
      return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
    } catch (RuntimeException unknown) {
      return StandardCharsets.UTF_8;
    }
  }
}
