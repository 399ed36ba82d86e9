package dev.lockstep.file;

/**
 * Which kind of kernel lock a {@link FileLock} takes. On Linux the two kinds never see each other:
 * a {@code FLOCK} holder does not exclude a {@code POSIX} holder of the same file, nor the other
 * way round. Every program sharing a lock file must use the same kind, so the kind is always
 * explicit.
 */
public enum FileLockMode {
  /**
   * {@code flock(2)}: the lock of Python's {@code filelock.FileLock} (on Unix), Python's {@code
   * fcntl.flock}, util-linux {@code flock(1)} and most shell scripts. The default.
   *
   * <p>The kernel attaches the lock to the open file description, so it is dropped when the last
   * descriptor of that description is closed or its process dies. Works on local file systems; on
   * NFS, Linux emulates it with byte-range locks (then it behaves like {@link #POSIX}).
   */
  FLOCK,

  /**
   * POSIX record locks over the whole file ({@code fcntl(F_SETLK)}): the lock of Java's {@link
   * java.nio.channels.FileChannel#lock()}, Python's {@code fcntl.lockf} and {@code fcntl(F_SETLK)}
   * in C. Open file description locks ({@code F_OFD_SETLK}) conflict with these too.
   *
   * <p>The kernel attaches the lock to the process: closing <em>any</em> descriptor of the file in
   * the process drops it. Lockstep keeps one descriptor per file per JVM for that reason, but other
   * code in the same JVM that opens and closes the lock file (for example {@code Files.readString}
   * on it, or a {@code FileChannel.lock} of its own) silently drops the lock. Use this mode only to
   * interoperate with programs that use POSIX locks.
   */
  POSIX
}
