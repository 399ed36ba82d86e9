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
 * spin). Uncontended, a handle read (without a {@link LockRecorder}) takes one of the lock's eight
 * reader slots: one compare-and-set to enter and one to leave (that one is also the handle's
 * exactly-once close), plus one 40-byte handle. A write, or a read with a recorder, costs one
 * compare-and-set to enter and two atomic operations to leave (the handle's exactly-once
 * compare-and-set, then an add), plus one 32-byte handle. A writer that finds readers in slots
 * waits for them to leave, and while a writer holds or waits new reads go through the lock's word
 * (so a waiting writer stops them, as below). A thread's read holds are counted in a thread-local
 * counter, not stored. A scoped read ({@link #read}) needs no handle: one compare-and-set to enter
 * and one add to leave, nothing allocated. The slots take about 1.2 KiB per lock. Waiters queue
 * only under contention; a platform thread that finds no one queued ahead of it spins up to about
 * 20 µs before parking (on multi-core machines), later ones a few dozen checks. A platform thread's
 * read that finds a writer holding or waiting first spins up to about 20 µs without queueing, then
 * enters as soon as no writer holds or waits (exactly as a read arriving later would: it never
 * passes a waiting writer), and queues only if it could not. With a {@link LockRecorder} in the
 * options, every acquisition, release, timeout, cancellation and refusal is reported to it.
 *
 * <h2>Handles or scopes</h2>
 *
 * The {@code acquire} methods return a {@link LockHandle}: it can be closed from any thread, kept
 * beyond a block, or {@linkplain LockHandle#downgrade() downgraded}. When the hold is just a block
 * of code on one thread, {@link #read} and {@link #write} run that block under the lock and release
 * it when the block ends, however it ends; the read is the cheapest way to read.
 *
 * <pre>{@code
 * ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("config"));
 * Config current = lock.read(Duration.ofSeconds(5), () -> config);
 * lock.write(Duration.ofSeconds(5), () -> config = config.with("mode", "fast"));
 * }</pre>
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
   * handle, or fails with {@link LockTimeoutException}, {@link IllegalArgumentException} (a
   * negative timeout) or {@link NullPointerException} (a null one): bad arguments are not thrown.
   * Cancelling it withdraws the request (a hold granted meanwhile is released).
   */
  CompletableFuture<LockHandle> acquireReadAsync(Duration timeout);

  /** Asks for the write hold without blocking; as {@link #acquireReadAsync}. */
  CompletableFuture<LockHandle> acquireWriteAsync(Duration timeout);

  /**
   * Waits up to {@code timeout} for a read hold, runs {@code body} under it on the calling thread,
   * releases it, and returns what the body returned.
   *
   * <p>Guarantees: the same admission as {@link #acquireRead} (FIFO, no barging past a queued
   * waiter; a free lock is taken even with a zero timeout) and the same checks (a thread in a read
   * scope is a reader: asking for the write lock inside it is refused with {@link
   * LockUpgradeException}, reading again while a writer is queued is a {@link DeadlockException}).
   * The hold lasts exactly as long as the body runs and is released on every path out of it:
   * return, exception or error; whatever the body throws is rethrown unchanged after the release.
   * The body never runs if the hold was not granted.
   *
   * <p>Non-guarantees: there is no handle, so the hold cannot outlive the body, move to another
   * thread, or be downgraded. The body should not hand work that needs the hold to other threads.
   *
   * <p>Cost: uncontended, one compare-and-set to enter and one atomic add to leave, nothing
   * allocated (the release needs no exactly-once check: the scope is it). When the lock is busy, or
   * with a {@link LockRecorder}, the request takes the path of {@link #acquireRead} (a waiter in
   * the queue, a handle) and the body runs once it is granted.
   *
   * @param timeout how long to wait at most for the hold (not how long the body may run)
   * @param body what to run under the read lock
   * @return what the body returned
   * @throws LockTimeoutException if the timeout ran out (the body did not run)
   * @throws DeadlockException if the calling thread holds the write lock, or reads while a writer
   *     is queued (the body did not run)
   * @throws InterruptedException if the thread was interrupted before or while waiting (the body
   *     did not run), or if the body threw it
   * @throws IllegalArgumentException if the timeout is negative
   * @throws X whatever the body threw
   */
  <T, X extends Exception> T read(Duration timeout, LockedCall<T, X> body)
      throws InterruptedException, X;

  /**
   * Waits up to {@code timeout} for the write hold, runs {@code body} under it on the calling
   * thread, releases it, and returns what the body returned. The guarantees and exceptions are
   * those of {@link #read} with the rules of {@link #acquireWrite} (a thread inside a read scope
   * asking for it gets a {@link LockUpgradeException}). Costs what {@link #acquireWrite} and {@link
   * LockHandle#close()} cost (the write goes through a handle).
   *
   * @throws LockTimeoutException if the timeout ran out (the body did not run)
   * @throws LockUpgradeException if the calling thread holds a read lock (the body did not run)
   * @throws DeadlockException if the calling thread holds the write lock (the body did not run)
   * @throws InterruptedException if the thread was interrupted before or while waiting (the body
   *     did not run), or if the body threw it
   * @throws IllegalArgumentException if the timeout is negative
   * @throws X whatever the body threw
   */
  <T, X extends Exception> T write(Duration timeout, LockedCall<T, X> body)
      throws InterruptedException, X;
}
