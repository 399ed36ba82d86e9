package dev.lockstep.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Many readers or one writer per key, for any number of keys.
 *
 * <h2>Fairness</h2>
 *
 * Arrivals queue in FIFO order per key. A waiting writer stops newly arriving readers, so writers
 * never starve; readers queued behind a writer enter together as soon as it leaves, so readers
 * never starve either. A reader arriving when no one waits joins the current readers at once.
 *
 * <h2>Upgrade and downgrade</h2>
 *
 * A write hold may be {@linkplain LockHandle#downgrade() downgraded} to a read hold atomically. A
 * reader asking for the write lock of a key it reads is refused with {@link LockUpgradeException}
 * (two such upgraders would wait for each other forever).
 *
 * <p>Blocking, asynchronous, try, timeout, limit and zero-retention rules are those of {@link
 * KeyedLock}. Not reentrant: a thread that holds the write lock and asks again for the key, or
 * holds a read lock and asks to read while a writer waits, gets a {@link DeadlockException}.
 *
 * @param <K> the key type; keys are compared with {@code equals} and must not be null
 */
public interface KeyedReadWriteLock<K> {

  /** A read-write lock with default options. */
  static <K> KeyedReadWriteLock<K> create() {
    return create(LockOptions.DEFAULTS);
  }

  /** A read-write lock with the given options. */
  static <K> KeyedReadWriteLock<K> create(LockOptions options) {
    return new SharedKeyedReadWriteLock<>(new LockEngine(options, true, null));
  }

  /** The lock's name, as in its options. */
  String name();

  /** Waits up to {@code timeout} for a read hold. Exceptions as in {@link KeyedLock#acquire}. */
  LockHandle acquireRead(K key, Duration timeout) throws InterruptedException;

  /** Waits up to {@code timeout} for the write hold. Exceptions as in {@link KeyedLock#acquire}. */
  LockHandle acquireWrite(K key, Duration timeout) throws InterruptedException;

  /** A read hold if one can be had without waiting. */
  Optional<LockHandle> tryAcquireRead(K key);

  /**
   * The write hold if it can be had without waiting.
   *
   * @throws LockUpgradeException if the calling thread holds a read lock of the key: an upgrade is
   *     a programming error, not a busy key, so it is reported even by the try methods
   */
  Optional<LockHandle> tryAcquireWrite(K key);

  /** Waits up to {@code timeout} for a read hold; empty on timeout. */
  Optional<LockHandle> tryAcquireRead(K key, Duration timeout) throws InterruptedException;

  /** Waits up to {@code timeout} for the write hold; empty on timeout. */
  Optional<LockHandle> tryAcquireWrite(K key, Duration timeout) throws InterruptedException;

  /** Asks for a read hold without blocking; see {@link KeyedLock#acquireAsync}. */
  CompletableFuture<LockHandle> acquireReadAsync(K key, Duration timeout);

  /** Asks for the write hold without blocking; see {@link KeyedLock#acquireAsync}. */
  CompletableFuture<LockHandle> acquireWriteAsync(K key, Duration timeout);

  /** Asks for a read hold on behalf of an explicit owner; see {@link LockOwner}. */
  CompletableFuture<LockHandle> acquireReadAsync(K key, Duration timeout, LockOwner owner);

  /** Asks for the write hold on behalf of an explicit owner; see {@link LockOwner}. */
  CompletableFuture<LockHandle> acquireWriteAsync(K key, Duration timeout, LockOwner owner);

  /**
   * Releases a handle of this lock; same as {@link LockHandle#close()}.
   *
   * @throws IllegalArgumentException if the handle was issued by another lock
   */
  void release(LockHandle handle);

  /** How many keys are active (held or waited for); see {@link KeyedLock#activeKeys()}. */
  int activeKeys();
}
