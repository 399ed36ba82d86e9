package dev.lockstep.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One exclusive lock per key, for any number of keys: the per-user (per-file, per-job) lock of a
 * concurrent system.
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li><b>Mutual exclusion per key</b>: at most one {@link LockHandle} holds a key at a time;
 *       different keys never wait for each other.
 *   <li><b>FIFO per key</b>: waiters are granted in arrival order; a newcomer never overtakes a
 *       waiter (no barging), so no waiter starves while holders keep releasing.
 *   <li><b>Timeouts bound the wait only</b>: the holder's work is never interrupted or cancelled.
 *   <li><b>Cancellation is clean</b>: interrupting a blocked thread, cancelling an asynchronous
 *       wait or letting it time out removes the waiter; a grant that races with the cancellation is
 *       either returned to the caller or released again, never left held by nobody.
 *   <li><b>Zero retention</b>: a key with no holder and no waiter occupies no memory; the lock's
 *       table grows with active keys and shrinks back when they go.
 *   <li><b>Limit</b>: with {@link LockOptions#maxActiveKeys()}, acquiring a new key beyond the
 *       limit fails at once with {@link CapacityExceededException}; active keys are unaffected.
 * </ul>
 *
 * <h2>Reentrancy and deadlocks</h2>
 *
 * Not reentrant. Holds belong to the thread that asked for them (for {@link #acquireAsync}, the
 * thread that called it). A thread that asks to wait for a key it already holds gets an immediate
 * {@link DeadlockException}; {@link #tryAcquire(Object)} simply returns empty. Locks made by a
 * {@link LockRegistry} also detect cycles across all of the registry's locks.
 *
 * <h2>Threading</h2>
 *
 * All methods are thread-safe. Blocking methods park the calling thread (virtual threads unmount;
 * no {@code synchronized} is held while waiting); asynchronous waits hold no thread at all. Before
 * parking, a platform thread spins briefly on multi-core machines: up to about 20 µs when it is the
 * only waiter of a key held on the fast path (the next owner of a hot key), otherwise a few dozen
 * checks; a virtual thread parks at once.
 *
 * <h2>Cost</h2>
 *
 * A lock without statistics and without a key limit (for example {@link #create()}) takes a free
 * key with one compare-and-set of a slot chosen by the key's hash and releases it with another; a
 * blocking or try acquire's handle then names only the slot and a stamp, so once the JIT has
 * inlined the acquire and the close into the caller (a handle that does not escape), the cycle
 * allocates nothing, even where the same call site sometimes waits. The first contention of a slot
 * turns it into a hand-off chain, and the slot stays that way while it is contended: each hold of
 * it allocates a 48-byte node; after 1,024 holds of the slot without contention it goes back to the
 * allocation-free form. A second waiter, or a key that shares its slot with another key in use,
 * goes through a striped table (a short spin lock per stripe) until it is idle again; so do
 * asynchronous acquisitions, and all keys of a lock with statistics, a limit or a registry's
 * deadlock detection. The fast path's slots take up to about 110 KB per lock once all 2,048 are
 * used, whatever the number of keys; a key held through the table about 113 bytes.
 *
 * @param <K> the key type; keys are compared with {@code equals} and must not be null
 */
public interface KeyedLock<K> {

  /** A lock with default options: unnamed ("lock"), no limit, no statistics. */
  static <K> KeyedLock<K> create() {
    return create(LockOptions.DEFAULTS);
  }

  /** A lock with the given options. */
  static <K> KeyedLock<K> create(LockOptions options) {
    return new ExclusiveKeyedLock<>(new LockEngine(options, false, null));
  }

  /** The lock's name, as in its options. */
  String name();

  /**
   * Waits up to {@code timeout} for the key.
   *
   * @param key the key, not null
   * @param timeout how long to wait at most; zero means do not wait; negative is refused
   * @return the handle that holds the key
   * @throws LockTimeoutException if the key was not granted in time (names the holder)
   * @throws CapacityExceededException if the key is new and the limit is reached
   * @throws DeadlockException if the calling thread holds the key, or waiting would close a cycle
   * @throws InterruptedException if the thread is interrupted while waiting (nothing is held)
   */
  LockHandle acquire(K key, Duration timeout) throws InterruptedException;

  /**
   * Takes the key if it is free and nobody waits for it, without waiting.
   *
   * @return the handle, or empty if the key is busy (including held by the calling thread)
   * @throws CapacityExceededException if the key is new and the limit is reached
   */
  Optional<LockHandle> tryAcquire(K key);

  /**
   * Waits up to {@code timeout} for the key, returning empty instead of throwing on timeout.
   *
   * @throws CapacityExceededException if the key is new and the limit is reached
   * @throws DeadlockException if the calling thread holds the key, or waiting would close a cycle
   * @throws InterruptedException if the thread is interrupted while waiting (nothing is held)
   */
  Optional<LockHandle> tryAcquire(K key, Duration timeout) throws InterruptedException;

  /**
   * Asks for the key without blocking the calling thread. The future completes with the handle when
   * granted, or exceptionally with {@link LockTimeoutException}, {@link CapacityExceededException}
   * or {@link DeadlockException}. Cancelling the future withdraws the wait; if the grant won the
   * race, the hold is released again.
   *
   * <p>Bad arguments fail the future too, rather than being thrown: a null key or timeout with
   * {@link NullPointerException}, a negative timeout with {@link IllegalArgumentException}. (A null
   * {@link LockOwner} passed to the overload below is thrown at once.)
   *
   * <p>The future may be completed by the thread that releases the key, whose callbacks then run
   * there; a completion made while another completion's callbacks run moves to a virtual thread, so
   * chains of asynchronous waiters neither deepen the stack nor deadlock. Timeouts fail the future
   * on a virtual thread of their own.
   */
  CompletableFuture<LockHandle> acquireAsync(K key, Duration timeout);

  /**
   * As {@link #acquireAsync(Object, Duration)}, on behalf of an explicit owner: the owner's holds
   * and waits are one identity for non-reentrancy checks and deadlock detection (see {@link
   * LockOwner}).
   */
  CompletableFuture<LockHandle> acquireAsync(K key, Duration timeout, LockOwner owner);

  /**
   * Releases a handle of this lock; same as {@link LockHandle#close()}.
   *
   * @throws IllegalArgumentException if the handle was issued by another lock
   */
  void release(LockHandle handle);

  /** Whether the key is held right now (a snapshot that may be stale as soon as it returns). */
  boolean isLocked(K key);

  /**
   * How many keys are active (held or waited for). With a {@code maxActiveKeys} limit this is the
   * exact count the limit is enforced on; without one it is summed stripe by stripe, exact whenever
   * no acquisition or release runs at the same time.
   */
  int activeKeys();
}
