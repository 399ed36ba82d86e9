/**
 * Cross-process file locks and atomic file writes: {@link dev.lockstep.file.FileLock} (the {@code
 * flock(2)} locks of Python's {@code filelock} and {@code flock(1)}, or POSIX record locks, as an
 * explicit {@link dev.lockstep.file.FileLockMode}) and {@link dev.lockstep.file.AtomicFile}
 * (temporary file, {@code fsync}, rename, {@code fsync} of the directory).
 *
 * <h2>Common rules</h2>
 *
 * <ul>
 *   <li>Lock files are created when missing and never deleted: the kernel drops a dead holder's
 *       lock, so there is no stale lock to clean, and deleting a lock file lets two holders in.
 *   <li>Holds are {@link dev.lockstep.file.FileLockHandle}s, released exactly once by {@code
 *       close()}; timeouts are {@link java.time.Duration}s and fail with the core's {@link
 *       dev.lockstep.lock.LockTimeoutException}, naming the file and the holder's pid.
 *   <li>Linux (64-bit) only; the native calls go through JNA, which on JDK 24+ wants {@code
 *       --enable-native-access=ALL-UNNAMED} (or {@code Enable-Native-Access: ALL-UNNAMED} in an
 *       executable jar's manifest) to load without a warning.
 * </ul>
 */
package dev.lockstep.file;
