package dev.lockstep.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A fair read-write lock for a single resource, with the rules of {@link KeyedReadWriteLock}: FIFO,
 * writers and readers never starve, downgrade allowed, upgrade refused, handles released exactly
 * once from any thread, timeouts that bound only the wait.
 */
public interface ReadWriteLock {

  /** A read-write lock with default options. */
  static ReadWriteLock create() {
    return create(LockOptions.DEFAULTS);
  }

  /** A read-write lock with the given options ({@code maxActiveKeys} is ignored). */
  static ReadWriteLock create(LockOptions options) {
    return new SingleReadWriteLock(options);
  }

  /** The lock's name, as in its options. */
  String name();

  /** Waits up to {@code timeout} for a read hold. */
  LockHandle acquireRead(Duration timeout) throws InterruptedException;

  /** Waits up to {@code timeout} for the write hold. */
  LockHandle acquireWrite(Duration timeout) throws InterruptedException;

  /** A read hold if one can be had without waiting. */
  Optional<LockHandle> tryAcquireRead();

  /** The write hold if it can be had without waiting. */
  Optional<LockHandle> tryAcquireWrite();

  /** Asks for a read hold without blocking. */
  CompletableFuture<LockHandle> acquireReadAsync(Duration timeout);

  /** Asks for the write hold without blocking. */
  CompletableFuture<LockHandle> acquireWriteAsync(Duration timeout);
}
