package dev.lockstep.doc;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Asks the kernel whether a file is open anywhere but here, with a write lease ({@code fcntl
 * F_SETLEASE F_WRLCK}): Linux grants one only to the file's owner and only while no other open file
 * description of the file exists (in any process, this one included). The lease is given back at
 * once; it only answers the question.
 *
 * <p>A spare file is overwritten in place only when this says no one else has it open, so that a
 * reader still holding a former document or backup never sees its bytes change.
 */
final class OpenFileCheck {
  private OpenFileCheck() {}

  private static final int O_RDONLY = 0;
  private static final int O_NONBLOCK = 04000;
  private static final int O_NOFOLLOW = 0400000;
  private static final int O_CLOEXEC = 02000000;
  private static final int F_SETLEASE = 1024;
  private static final int F_WRLCK = 1;
  private static final int F_UNLCK = 2;

  private static final boolean AVAILABLE = register();

  /** How the JDK encodes file names (UTF-8 if it does not say or names an unknown charset). */
  private static final Charset FILE_NAMES =
      Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"), StandardCharsets.UTF_8);

  /** The effective user id of this process ({@code -1} where the check is not available). */
  static final int EUID = AVAILABLE ? geteuid() : -1;

  private static boolean register() {
    if (!Platform.isLinux() || !Platform.is64Bit()) {
      return false;
    }
    try {
      Native.register(OpenFileCheck.class, Platform.C_LIBRARY_NAME);
      return true;
    } catch (UnsatisfiedLinkError | RuntimeException unavailable) {
      return false;
    }
  }

  /**
   * Whether nobody but this call has {@code file} open: false also when the file is missing, not
   * this user's, a symbolic link, or on a file system without leases (the caller then does not
   * reuse it).
   */
  static boolean openNowhereElse(Path file) {
    if (!AVAILABLE) {
      return false;
    }
    byte[] name = file.toAbsolutePath().toString().getBytes(FILE_NAMES);
    byte[] cName = new byte[name.length + 1]; // NUL-terminated
    System.arraycopy(name, 0, cName, 0, name.length);
    int fd;
    try {
      // O_NONBLOCK: never wait for a lease someone else holds on it
      fd = open(cName, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0);
    } catch (LastErrorException e) {
      return false;
    }
    try {
      fcntl(fd, F_SETLEASE, F_WRLCK); // EAGAIN: open elsewhere; EACCES: not ours; EINVAL: no leases
      fcntl(fd, F_SETLEASE, F_UNLCK);
      return true;
    } catch (LastErrorException e) {
      return false;
    } finally {
      try {
        close(fd);
      } catch (LastErrorException ignored) {
        // a read-only descriptor: nothing was written that a failed close could lose
      }
    }
  }

  private static native int open(byte[] path, int flags, int mode) throws LastErrorException;

  private static native int fcntl(int fd, int cmd, int arg) throws LastErrorException;

  private static native int close(int fd) throws LastErrorException;

  private static native int geteuid();
}
