package dev.lockstep.file;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Non-blocking kernel lock calls on one descriptor, for each {@link FileLockMode}. */
final class KernelLocks {
  private KernelLocks() {}

  /**
   * One attempt, without waiting, to lock the whole file.
   *
   * @return whether the kernel granted it; {@code false} when another holder conflicts
   * @throws IOException if the call fails for any other reason (the message names the file)
   */
  static boolean tryLock(int fd, FileLockMode mode, boolean shared, Object file)
      throws IOException {
    try {
      if (mode == FileLockMode.FLOCK) {
        LibC.flock(fd, (shared ? LibC.LOCK_SH : LibC.LOCK_EX) | LibC.LOCK_NB);
      } else {
        LibC.fcntl(fd, LibC.F_SETLK, wholeFile(shared ? LibC.F_RDLCK : LibC.F_WRLCK));
      }
      return true;
    } catch (LastErrorException e) {
      int errno = e.getErrorCode();
      if (errno == LibC.EAGAIN || errno == LibC.EACCES || errno == LibC.EINTR) {
        return false; // EWOULDBLOCK == EAGAIN; fcntl may say EACCES; EINTR: the caller retries
      }
      String call = mode == FileLockMode.FLOCK ? "flock" : "fcntl(F_SETLK)";
      throw new IOException(call + " failed on " + file + ": " + LibC.describe(e), e);
    }
  }

  /** Drops this descriptor's (FLOCK) or this process's (POSIX) lock on the file. Never throws. */
  static void unlock(int fd, FileLockMode mode) {
    try {
      if (mode == FileLockMode.FLOCK) {
        LibC.flock(fd, LibC.LOCK_UN);
      } else {
        LibC.fcntl(fd, LibC.F_SETLK, wholeFile(LibC.F_UNLCK));
      }
    } catch (LastErrorException ignored) {
      // Unlocking a valid descriptor cannot fail on Linux (EBADF/EINVAL would be our bug); the
      // lock then goes at the latest when the descriptor is closed.
    }
  }

  /** A {@code struct flock} covering the whole file: type, SEEK_SET, start 0, length 0 (= EOF). */
  private static byte[] wholeFile(short type) {
    byte[] bytes = new byte[LibC.STRUCT_FLOCK_SIZE];
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    b.putShort(0, type); // l_type
    b.putShort(2, LibC.SEEK_SET); // l_whence
    b.putLong(8, 0); // l_start
    b.putLong(16, 0); // l_len
    b.putInt(24, 0); // l_pid (out only)
    return bytes;
  }
}
