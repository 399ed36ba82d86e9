package dev.lockstep.file;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The few C library calls that file locks need, bound with JNA direct mapping.
 *
 * <p>Constants and the {@code struct flock} layout are those of 64-bit Linux (x86-64 and the
 * generic layout of aarch64 and riscv64); {@link #checkPlatform()} refuses anything else.
 */
final class LibC {
  private LibC() {}

  static final int O_RDONLY = 0;
  static final int O_RDWR = 2;
  static final int O_CREAT = 0100;
  static final int O_CLOEXEC = 02000000;

  static final int LOCK_SH = 1;
  static final int LOCK_EX = 2;
  static final int LOCK_NB = 4;
  static final int LOCK_UN = 8;

  static final int F_SETLK = 6;
  static final short F_RDLCK = 0;
  static final short F_WRLCK = 1;
  static final short F_UNLCK = 2;
  static final short SEEK_SET = 0;

  /** {@code sizeof(struct flock)} on 64-bit Linux. */
  static final int STRUCT_FLOCK_SIZE = 32;

  static final int EPERM = 1;
  static final int EINTR = 4;
  static final int EAGAIN = 11;
  static final int EACCES = 13;
  static final int EROFS = 30;

  private static final boolean SUPPORTED = Platform.isLinux() && Platform.is64Bit();

  static {
    if (SUPPORTED) {
      Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }
  }

  /** Throws unless this is a platform whose constants this class knows. */
  static void checkPlatform() {
    if (!SUPPORTED) {
      throw new UnsupportedOperationException(
          "file locks need 64-bit Linux; this is "
              + System.getProperty("os.name")
              + " "
              + System.getProperty("os.arch"));
    }
  }

  /** The error as {@code strerror} says it, with its number: "No such file (errno 2)". */
  static String describe(LastErrorException e) {
    String message = e.getMessage();
    String prefix = "[" + e.getErrorCode() + "]";
    if (message != null && message.startsWith(prefix)) {
      message = message.substring(prefix.length()).strip();
    }
    return (message == null || message.isEmpty() ? "error" : message)
        + " (errno "
        + e.getErrorCode()
        + ")";
  }

  /** open(2); {@code path} is NUL-terminated. */
  static native int open(byte[] path, int flags, int mode) throws LastErrorException;

  /** close(2). */
  static native int close(int fd) throws LastErrorException;

  /** flock(2). */
  static native int flock(int fd, int operation) throws LastErrorException;

  /** fcntl(2) with a {@code struct flock} argument, passed as its bytes in native order. */
  static native int fcntl(int fd, int cmd, byte[] lock) throws LastErrorException;
}
