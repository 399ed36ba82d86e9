package dev.lockstep.file;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An advisory lock on one file, shared with other processes — Java or not — through the kernel:
 * {@code flock(2)} by default ({@link FileLockMode#FLOCK}, what Python's {@code filelock}, {@code
 * fcntl.flock} and {@code flock(1)} take), or POSIX record locks ({@link FileLockMode#POSIX}, what
 * {@code FileChannel.lock} takes). The two kinds do not see each other; choose the one the other
 * programs use.
 *
 * <pre>{@code
 * FileLock lock = FileLock.of(Path.of("state.yaml.lock"));
 * try (FileLockHandle h = lock.acquire(Duration.ofSeconds(5))) {
 *   // no other process using flock on state.yaml.lock, Python included, is in here
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li><b>Exclusion across processes</b>: an exclusive hold excludes every other holder of the
 *       same kind on the same file; shared holds exclude only exclusive ones.
 *   <li><b>Exclusion inside the JVM</b>: two acquirers in this JVM exclude each other too, through
 *       whatever {@code FileLock} instances (a JVM-wide table keyed by device and inode, with one
 *       open descriptor per file, in front of an in-process read-write lock). In-JVM waiters are
 *       served first come, first served.
 *   <li><b>No stale locks</b>: the kernel drops a lock when its holder's process dies, SIGKILL
 *       included. There is nothing to clean up, and nothing must be.
 *   <li><b>The lock file is created when missing and never deleted</b>. Deleting a lock file — on
 *       release, or as "stale" — lets two holders in at once: a process still waiting on (or
 *       holding) the old file and a newcomer that creates a new file at the path each hold "the"
 *       lock. Never delete lock files that may be in use.
 *   <li><b>Lock files this process may only read can be locked</b>, as {@code flock(1)} locks them:
 *       a lock file that exists but cannot be opened for writing (another user's {@code 0644} file,
 *       an immutable file, a read-only file system) is opened read-only. {@code flock(2)} locks,
 *       shared or exclusive, and POSIX shared locks work on it; a POSIX exclusive lock needs a
 *       writable file and fails with an {@link IOException} saying so.
 *   <li><b>Replaced files are noticed</b>: after the kernel grants a lock, the acquirer checks that
 *       the file at the path is still the one it locked (device and inode); if another program
 *       deleted or replaced it meanwhile, it lets go and locks the file now at the path. A holder
 *       learns of a later deletion from {@link FileLockHandle#isValid()}.
 *   <li><b>Timeouts name the holder</b>: a {@link dev.lockstep.lock.LockTimeoutException} names the
 *       file, the timeout and the holder's pid and command when {@code /proc/locks} tells them (or
 *       the holding thread, when the holder is in this JVM).
 * </ul>
 *
 * <h2>Non-guarantees</h2>
 *
 * <ul>
 *   <li>Advisory only: programs that do not take the lock are not stopped.
 *   <li>No fairness between processes: the kernel offers no queue that works with timeouts, so a
 *       waiter polls (see below) and a newcomer may get the lock before an older waiter.
 *   <li>Not reentrant: a thread that holds a file's lock and asks again waits for itself and gets a
 *       {@link dev.lockstep.lock.DeadlockException} at once; {@link #tryAcquire()} returns empty.
 *   <li>Linux only (64-bit), because of {@code /proc} and the native constants; on NFS, {@code
 *       flock} locks are emulated with POSIX locks by the kernel.
 * </ul>
 *
 * <h2>Threading, blocking and interruption</h2>
 *
 * All methods are thread-safe, and a handle may be closed by any thread. A wait first queues in
 * this JVM (parking, as the core locks do), then tries the kernel lock without blocking ({@code
 * LOCK_NB} or {@code F_SETLK}) and, while another process holds it, parks with a short backoff (1
 * to 5 ms) and tries again until the timeout. No thread is ever stuck in a blocking system call:
 * timeouts are exact to a few milliseconds, interruption works at any point, and virtual threads
 * unmount while they wait. {@link #acquireAsync} waits on a virtual thread of its own.
 *
 * <h2>Exceptions</h2>
 *
 * {@link dev.lockstep.lock.LockTimeoutException} when the lock was not granted in time (nothing is
 * held); {@link InterruptedException} when the waiting thread was interrupted (nothing is held);
 * {@link IOException} when the lock file cannot be opened or created (for instance a missing
 * directory, no permission to create it, or no permission to read it), or when a {@link
 * FileLockMode#POSIX} exclusive lock is asked for a file that can only be opened read-only, the
 * message naming the file; {@link IllegalArgumentException} for a negative timeout.
 */
public interface FileLock {

  /** A {@link FileLockMode#FLOCK} lock on the file at {@code path} (created when first locked). */
  static FileLock of(Path path) {
    return of(path, FileLockMode.FLOCK);
  }

  /** A lock of the given kind on the file at {@code path} (created when first locked). */
  static FileLock of(Path path, FileLockMode mode) {
    Objects.requireNonNull(path, "path must not be null");
    Objects.requireNonNull(mode, "mode must not be null");
    LibC.checkPlatform();
    return new KernelFileLock(path, mode);
  }

  /** The lock file's path. */
  Path path();

  /** The kind of kernel lock this lock takes. */
  FileLockMode mode();

  /**
   * Waits up to {@code timeout} for the exclusive lock.
   *
   * @param timeout how long to wait at most; zero means one attempt without waiting
   * @return the handle that holds the lock
   * @throws dev.lockstep.lock.LockTimeoutException if not granted in time (names the holder)
   * @throws InterruptedException if interrupted while waiting (nothing is held)
   * @throws IOException if the lock file cannot be opened or created
   */
  FileLockHandle acquire(Duration timeout) throws IOException, InterruptedException;

  /** The exclusive lock if it can be had without waiting; empty if anyone holds it. */
  Optional<FileLockHandle> tryAcquire() throws IOException;

  /**
   * Asks for the exclusive lock without blocking the caller: the future completes with the handle,
   * or exceptionally with {@link dev.lockstep.lock.LockTimeoutException} or {@link IOException}.
   * Cancelling the future stops the wait; a grant that races with the cancellation is released.
   */
  CompletableFuture<FileLockHandle> acquireAsync(Duration timeout);

  /** As {@link #acquire}, for a shared lock: other shared holders may hold it at the same time. */
  FileLockHandle acquireShared(Duration timeout) throws IOException, InterruptedException;

  /** A shared lock if it can be had without waiting. */
  Optional<FileLockHandle> tryAcquireShared() throws IOException;

  /** As {@link #acquireAsync}, for a shared lock. */
  CompletableFuture<FileLockHandle> acquireSharedAsync(Duration timeout);

  /**
   * Keeps the lock file open in this JVM between acquisitions through this lock, until the returned
   * {@link KeepOpen} is closed: an acquisition then skips opening and closing the file (three
   * system calls fewer), which matters to a caller that locks the same file thousands of times a
   * second.
   *
   * <p>Guarantees: locking is unchanged — the file at the path is still compared with the locked
   * one after every grant (device and inode), and {@link FileLockHandle#isValid()} still checks the
   * path. When the file was deleted or replaced, the next acquisition opens the file now at the
   * path and keeps that one open instead. The kernel lock itself is always released on {@link
   * FileLockHandle#close()}: keeping the file open holds no lock. Non-guarantees: the descriptor
   * stays open until every {@code KeepOpen} of this lock is closed; forgetting to close it leaks
   * one descriptor. Thread-safe; closing twice is harmless. The default does nothing.
   */
  default KeepOpen keepOpen() {
    return () -> {};
  }

  /** Ends a {@link #keepOpen()}; closing it never fails. */
  @FunctionalInterface
  interface KeepOpen extends AutoCloseable {
    /** Lets the lock file be closed when no hold or wait uses it any more. */
    @Override
    void close();
  }
}
