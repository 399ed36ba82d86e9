package dev.lockstep.file;

import dev.lockstep.lock.KeyedReadWriteLock;
import dev.lockstep.lock.LockHandle;
import dev.lockstep.lock.LockOptions;
import dev.lockstep.lock.LockTimeoutException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link FileLock} on the kernel's {@code flock} or POSIX locks.
 *
 * <h2>Implementation notes</h2>
 *
 * An acquisition goes through three layers, and a release undoes them in reverse order:
 *
 * <ol>
 *   <li>{@link LockFileTable#open}: the file at the path (created if missing; opened read-only if
 *       it exists and cannot be opened for writing) as a shared entry with this JVM's one
 *       descriptor of it, keyed by device and inode;
 *   <li>{@link #IN_JVM}, a core read-write lock on that key: FIFO exclusion among this JVM's
 *       threads, needed because the kernel cannot tell them apart (they share the descriptor);
 *   <li>the kernel lock on the descriptor, polled without blocking with a backoff until the
 *       deadline. Shared holds of one JVM share one kernel lock ({@link OpenLockFile}).
 * </ol>
 *
 * Then the file at the path is compared with the locked one: if another program deleted or replaced
 * it while we waited, the grant is worthless (newcomers lock the new file), so everything is
 * released and the acquisition starts over on the file at the path now, within the same deadline.
 */
final class KernelFileLock implements FileLock {

  /** In-JVM exclusion per file, whatever the {@code FileLock} instance or mode. */
  private static final KeyedReadWriteLock<FileKey> IN_JVM =
      KeyedReadWriteLock.create(LockOptions.named("lock files of this JVM"));

  private static final LockFileTable TABLE = LockFileTable.INSTANCE;
  private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /**
   * The longest pause between two polls. The kernel does not wake pollers, so this bounds how long
   * a released lock can sit idle before a waiting process notices: at 20 ms, 8 processes updating
   * one document handed the lock over in 38 ms (median; bench docs processes-8x50). 5 ms costs at
   * most 200 cheap syscalls a second per waiter.
   */
  private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private static final int MAX_REPLACED_RETRIES_WITHOUT_WAITING = 16;

  private final Path path;
  private final FileLockMode mode;
  private final String name;

  /** Guards {@link #keepOpen} and {@link #kept}; taken before the table's lock, never after. */
  private final ReentrantLock keeping = new ReentrantLock();

  private int keepOpen; // open KeepOpen handles
  private OpenLockFile kept; // the last file locked while keepOpen > 0, as one more table user

  KernelFileLock(Path path, FileLockMode mode) {
    this.path = path;
    this.mode = mode;
    this.name = "file lock (" + mode.name().toLowerCase(java.util.Locale.ROOT) + ")";
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public FileLockMode mode() {
    return mode;
  }

  @Override
  public FileLockHandle acquire(Duration timeout) throws IOException, InterruptedException {
    return await(false, timeout);
  }

  @Override
  public Optional<FileLockHandle> tryAcquire() throws IOException {
    return attempt(false);
  }

  @Override
  public CompletableFuture<FileLockHandle> acquireAsync(Duration timeout) {
    return async(false, timeout);
  }

  @Override
  public FileLockHandle acquireShared(Duration timeout) throws IOException, InterruptedException {
    return await(true, timeout);
  }

  @Override
  public Optional<FileLockHandle> tryAcquireShared() throws IOException {
    return attempt(true);
  }

  @Override
  public CompletableFuture<FileLockHandle> acquireSharedAsync(Duration timeout) {
    return async(true, timeout);
  }

  @Override
  public KeepOpen keepOpen() {
    keeping.lock();
    try {
      keepOpen++;
    } finally {
      keeping.unlock();
    }
    AtomicBoolean open = new AtomicBoolean(true);
    return () -> {
      if (open.compareAndSet(true, false)) {
        keeping.lock();
        try {
          if (--keepOpen == 0 && kept != null) {
            TABLE.release(kept);
            kept = null;
          }
        } finally {
          keeping.unlock();
        }
      }
    };
  }

  /**
   * The file to lock, as a table entry: the one kept open, if any (the check after the grant tells
   * whether it is still the file at the path), or else the file at the path now.
   */
  private OpenLockFile open() throws IOException {
    keeping.lock();
    try {
      if (kept != null) {
        TABLE.retain(kept);
        return kept;
      }
    } finally {
      keeping.unlock();
    }
    return TABLE.open(path);
  }

  /** {@code file} is no longer the file at the path: stop keeping it open. */
  private void forget(OpenLockFile file) {
    keeping.lock();
    try {
      if (kept == file) {
        TABLE.release(kept); // the caller still uses it: the descriptor stays open until undo
        kept = null;
      }
    } finally {
      keeping.unlock();
    }
  }

  /** After a grant on {@code file}: keeps it open if asked to, letting go of a replaced one. */
  private void keep(OpenLockFile file) {
    keeping.lock();
    try {
      if (keepOpen == 0 || kept == file) {
        return;
      }
      TABLE.retain(file);
      if (kept != null) {
        TABLE.release(kept); // deleted or replaced at the path: no acquisition will use it again
      }
      kept = file;
    } finally {
      keeping.unlock();
    }
  }

  private FileLockHandle await(boolean shared, Duration timeout)
      throws IOException, InterruptedException {
    long budget = nanos(timeout);
    long start = System.nanoTime();
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for " + name + " on " + path);
      }
      OpenLockFile file = open();
      LockHandle inJvm = null;
      boolean locked = false;
      try {
        checkWritable(file, shared);
        inJvm = awaitInJvm(file, shared, left(start, budget), timeout);
        awaitKernel(file, shared, start, budget, timeout);
        locked = true;
        if (file.key.equals(FileKey.atPath(path))) {
          FileHold hold = new FileHold(this, file, inJvm, shared);
          keep(file);
          locked = false;
          inJvm = null;
          file = null;
          return hold;
        }
        // Deleted or replaced while we waited: start over on the file at the path now.
        forget(file);
      } finally {
        undo(file, inJvm, locked, shared);
      }
    }
  }

  private Optional<FileLockHandle> attempt(boolean shared) throws IOException {
    for (int round = 0; round < MAX_REPLACED_RETRIES_WITHOUT_WAITING; round++) {
      OpenLockFile file = open();
      LockHandle inJvm = null;
      boolean locked = false;
      try {
        checkWritable(file, shared);
        Optional<LockHandle> local =
            shared ? IN_JVM.tryAcquireRead(file.key) : IN_JVM.tryAcquireWrite(file.key);
        if (local.isEmpty()) {
          return Optional.empty();
        }
        inJvm = local.get();
        locked = tryKernel(file, shared);
        if (!locked) {
          return Optional.empty();
        }
        if (file.key.equals(FileKey.atPath(path))) {
          FileHold hold = new FileHold(this, file, inJvm, shared);
          keep(file);
          locked = false;
          inJvm = null;
          file = null;
          return Optional.of(hold);
        }
        forget(file);
      } finally {
        undo(file, inJvm, locked, shared);
      }
    }
    return Optional.empty(); // replaced again and again while we tried: as good as busy
  }

  private CompletableFuture<FileLockHandle> async(boolean shared, Duration timeout) {
    nanos(timeout); // refuse a negative timeout in the caller's thread
    CompletableFuture<FileLockHandle> future = new CompletableFuture<>();
    Thread waiter =
        Thread.ofVirtual()
            .name("lockstep file lock wait " + path)
            .unstarted(
                () -> {
                  try {
                    FileLockHandle h = await(shared, timeout);
                    if (!future.complete(h)) {
                      h.close(); // cancelled while the grant was on its way
                    }
                  } catch (Throwable e) { // hand every failure to the future, never lose one
                    future.completeExceptionally(e);
                  }
                });
    future.whenComplete(
        (h, e) -> {
          if (future.isCancelled()) {
            waiter.interrupt();
          }
        });
    waiter.start();
    return future;
  }

  /**
   * A POSIX write lock needs a descriptor open for writing ({@code fcntl} says EBADF otherwise); a
   * lock file that could only be opened read-only cannot take one. flock(2) and read locks can.
   */
  private void checkWritable(OpenLockFile file, boolean shared) throws IOException {
    if (file.readOnly != null && mode == FileLockMode.POSIX && !shared) {
      throw new IOException(
          "cannot take a POSIX write lock on "
              + path
              + ": the lock file can only be opened read-only ("
              + file.readOnly
              + " for writing), and fcntl write locks need a writable file; flock mode and"
              + " shared locks work on a read-only file");
    }
  }

  private LockHandle awaitInJvm(OpenLockFile file, boolean shared, long leftNanos, Duration timeout)
      throws InterruptedException {
    Duration left = Duration.ofNanos(leftNanos);
    try {
      return shared ? IN_JVM.acquireRead(file.key, left) : IN_JVM.acquireWrite(file.key, left);
    } catch (LockTimeoutException local) {
      throw timedOut(timeout, file, "in this JVM: " + local.holder());
    }
  }

  private void awaitKernel(
      OpenLockFile file, boolean shared, long start, long budget, Duration timeout)
      throws IOException, InterruptedException {
    if (!shared) {
      poll(file, false, start, budget, timeout);
      return;
    }
    ReentrantLock gate = file.gate(mode);
    if (!gate.tryLock(left(start, budget), TimeUnit.NANOSECONDS)) {
      throw timedOut(timeout, file, null); // another reader of this JVM waits for the holder
    }
    try {
      if (file.sharedHolds(mode) == 0) {
        poll(file, true, start, budget, timeout);
      }
      file.addSharedHold(mode);
    } finally {
      gate.unlock();
    }
  }

  private boolean tryKernel(OpenLockFile file, boolean shared) throws IOException {
    if (!shared) {
      return KernelLocks.tryLock(file.fd, mode, false, path);
    }
    ReentrantLock gate = file.gate(mode);
    if (!gate.tryLock()) {
      return false;
    }
    try {
      if (file.sharedHolds(mode) == 0 && !KernelLocks.tryLock(file.fd, mode, true, path)) {
        return false;
      }
      file.addSharedHold(mode);
      return true;
    } finally {
      gate.unlock();
    }
  }

  /** Tries the kernel lock until granted, parking with a growing, jittered backoff in between. */
  private void poll(OpenLockFile file, boolean shared, long start, long budget, Duration timeout)
      throws IOException, InterruptedException {
    long backoff = MIN_BACKOFF_NANOS;
    while (!KernelLocks.tryLock(file.fd, mode, shared, path)) {
      long left = left(start, budget);
      if (left <= 0) {
        throw timedOut(timeout, file, null);
      }
      long pause = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
      LockSupport.parkNanos(this, Math.min(left, pause));
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for " + name + " on " + path);
      }
      backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
    }
  }

  /** Releases what an acquisition holds, in reverse order; nulls and {@code false} are skipped. */
  private void undo(OpenLockFile file, LockHandle inJvm, boolean locked, boolean shared) {
    if (locked) {
      file.unlock(mode, shared);
    }
    if (inJvm != null) {
      inJvm.close();
    }
    if (file != null) {
      TABLE.release(file);
    }
  }

  /** Releases a hold made by this lock (called once per hold, by {@link FileHold#close()}). */
  void release(OpenLockFile file, LockHandle inJvm, boolean shared) {
    undo(file, inJvm, true, shared);
  }

  private LockTimeoutException timedOut(Duration timeout, OpenLockFile file, String local) {
    String kernel = ProcLocks.holders(file.key, mode);
    String holder = kernel == null ? local : local == null ? kernel : kernel + "; " + local;
    return new LockTimeoutException(name, path, timeout, holder);
  }

  private static long nanos(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout must not be null");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
    }
    try {
      return timeout.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  private static long left(long start, long budget) {
    return Math.max(0, budget - (System.nanoTime() - start));
  }

  @Override
  public String toString() {
    return "FileLock[" + path + ", " + mode + "]";
  }
}
