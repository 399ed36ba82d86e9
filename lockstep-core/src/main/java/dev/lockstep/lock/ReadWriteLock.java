package dev.lockstep.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A fair read-write lock for a single resource, with the rules of {@link KeyedReadWriteLock}.
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>Many readers or one writer. Arrivals queue in FIFO order; nobody barges past a queued
 *       waiter. A waiting writer stops newly arriving readers (writers never starve); readers
 *       queued behind a writer enter together as soon as it leaves (readers never starve). A reader
 *       arriving when no one waits joins the current readers at once.
 *   <li>Timeouts bound only the wait: a free lock is taken even with {@link Duration#ZERO}; a zero
 *       timeout never waits; a negative timeout is refused with {@link IllegalArgumentException}.
 *   <li>A write hold may be {@linkplain LockHandle#downgrade() downgraded} to a read hold without
 *       letting any writer in between. A thread that holds a read lock and asks for the write lock
 *       is refused with {@link LockUpgradeException}, by the try methods too.
 *   <li>Not reentrant: a thread that holds the write lock and waits for either lock, or holds a
 *       read lock and waits to read while a writer is queued, gets a {@link DeadlockException} at
 *       once instead of hanging (the try methods just return empty).
 *   <li>Handles are released exactly once, from any thread ({@link LockHandle#close()}).
 *   <li>Interrupting a blocked thread, or cancelling an asynchronous request's future, withdraws
 *       the request; a grant that raced with it is released, never lost.
 * </ul>
 *
 * <h2>Non-guarantees</h2>
 *
 * Asynchronous requests have owners of their own (see {@link LockOwner}): they are never treated as
 * the calling thread's, so they are not checked for upgrade or self-deadlock. Unlike locks created
 * by a {@link LockRegistry}, this lock takes part in no wait-for graph (only self-deadlock is
 * detected), has no watchdog and no snapshot. Timeout messages name the writer holding the lock,
 * but only count readers.
 *
 * <h2>Threading and cost</h2>
 *
 * Thread-safe; virtual-thread friendly (waiters park, never pin a carrier; virtual threads do not
 * spin). Uncontended, a read or write costs one compare-and-set to enter, and two atomic operations
 * to leave (the handle's exactly-once compare-and-set, then an add), plus one 32-byte handle; a
 * thread's read holds are counted in a thread-local counter, not stored. Waiters queue only under
 * contention. With a {@link LockRecorder} in the options, every acquisition, release, timeout,
 * cancellation and refusal is reported to it.
 */
public interface ReadWriteLock {

  /** A read-write lock with default options. */
  static ReadWriteLock create() {
    return create(LockOptions.DEFAULTS);
  }

  /**
   * A read-write lock with the given options ({@code maxActiveKeys} is ignored).
   *
   * @throws NullPointerException if options is null
   */
  static ReadWriteLock create(LockOptions options) {
    return new SingleReadWriteLock(options);
  }

  /** The lock's name, as in its options. */
  String name();

  /**
   * Waits up to {@code timeout} for a read hold.
   *
   * @throws LockTimeoutException if the timeout ran out (naming the lock and its holder)
   * @throws DeadlockException if the calling thread holds the write lock, or reads while a writer
   *     is queued
   * @throws InterruptedException if the thread was interrupted before or while waiting; the request
   *     is withdrawn
   * @throws IllegalArgumentException if the timeout is negative
   */
  LockHandle acquireRead(Duration timeout) throws InterruptedException;

  /**
   * Waits up to {@code timeout} for the write hold.
   *
   * @throws LockTimeoutException if the timeout ran out (naming the lock and its holder)
   * @throws LockUpgradeException if the calling thread holds a read lock
   * @throws DeadlockException if the calling thread holds the write lock
   * @throws InterruptedException if the thread was interrupted before or while waiting; the request
   *     is withdrawn
   * @throws IllegalArgumentException if the timeout is negative
   */
  LockHandle acquireWrite(Duration timeout) throws InterruptedException;

  /** A read hold if one can be had without waiting; empty if not. Never throws for a busy lock. */
  Optional<LockHandle> tryAcquireRead();

  /**
   * The write hold if it can be had without waiting; empty if not.
   *
   * @throws LockUpgradeException if the calling thread holds a read lock (a programming error, not
   *     a busy lock)
   */
  Optional<LockHandle> tryAcquireWrite();

  /**
   * Asks for a read hold without blocking or holding a thread. The future completes with the
   * handle, or fails with {@link LockTimeoutException} or {@link IllegalArgumentException};
   * cancelling it withdraws the request (a hold granted meanwhile is released).
   */
  CompletableFuture<LockHandle> acquireReadAsync(Duration timeout);

  /** Asks for the write hold without blocking; as {@link #acquireReadAsync}. */
  CompletableFuture<LockHandle> acquireWriteAsync(Duration timeout);
}
