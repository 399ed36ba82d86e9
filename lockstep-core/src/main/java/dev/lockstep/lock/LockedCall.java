package dev.lockstep.lock;

/**
 * The body of a scoped hold ({@link ReadWriteLock#read}, {@link ReadWriteLock#write}): runs while
 * the lock is held, on the calling thread, and may throw a checked exception of its own, which the
 * scoped method rethrows unchanged after releasing the lock.
 *
 * @param <T> what the body returns (use {@link Void} and return {@code null} for nothing)
 * @param <X> the checked exception the body may throw ({@link RuntimeException} when none)
 */
@FunctionalInterface
public interface LockedCall<T, X extends Exception> {

  /** Runs under the lock. */
  T call() throws X;
}
