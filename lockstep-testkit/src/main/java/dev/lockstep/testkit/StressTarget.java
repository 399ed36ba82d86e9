package dev.lockstep.testkit;

import dev.lockstep.lock.KeyedLock;
import dev.lockstep.lock.KeyedReadWriteLock;
import dev.lockstep.lock.LockHandle;
import dev.lockstep.lock.LockMode;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** What the harness drives: a lock seen through one mode-aware set of calls. */
interface StressTarget<K> {

  boolean readWrite();

  LockHandle acquire(K key, LockMode mode, Duration timeout) throws InterruptedException;

  Optional<LockHandle> tryAcquire(K key, LockMode mode);

  Optional<LockHandle> tryAcquire(K key, LockMode mode, Duration timeout)
      throws InterruptedException;

  CompletableFuture<LockHandle> acquireAsync(K key, LockMode mode, Duration timeout);

  static <K> StressTarget<K> of(KeyedLock<K> lock) {
    return new StressTarget<>() {
      @Override
      public boolean readWrite() {
        return false;
      }

      @Override
      public LockHandle acquire(K key, LockMode mode, Duration timeout)
          throws InterruptedException {
        return lock.acquire(key, timeout);
      }

      @Override
      public Optional<LockHandle> tryAcquire(K key, LockMode mode) {
        return lock.tryAcquire(key);
      }

      @Override
      public Optional<LockHandle> tryAcquire(K key, LockMode mode, Duration timeout)
          throws InterruptedException {
        return lock.tryAcquire(key, timeout);
      }

      @Override
      public CompletableFuture<LockHandle> acquireAsync(K key, LockMode mode, Duration timeout) {
        return lock.acquireAsync(key, timeout);
      }

      @Override
      public String toString() {
        return lock.toString();
      }
    };
  }

  static <K> StressTarget<K> of(KeyedReadWriteLock<K> lock) {
    return new StressTarget<>() {
      @Override
      public boolean readWrite() {
        return true;
      }

      @Override
      public LockHandle acquire(K key, LockMode mode, Duration timeout)
          throws InterruptedException {
        return mode == LockMode.SHARED
            ? lock.acquireRead(key, timeout)
            : lock.acquireWrite(key, timeout);
      }

      @Override
      public Optional<LockHandle> tryAcquire(K key, LockMode mode) {
        return mode == LockMode.SHARED ? lock.tryAcquireRead(key) : lock.tryAcquireWrite(key);
      }

      @Override
      public Optional<LockHandle> tryAcquire(K key, LockMode mode, Duration timeout)
          throws InterruptedException {
        return mode == LockMode.SHARED
            ? lock.tryAcquireRead(key, timeout)
            : lock.tryAcquireWrite(key, timeout);
      }

      @Override
      public CompletableFuture<LockHandle> acquireAsync(K key, LockMode mode, Duration timeout) {
        return mode == LockMode.SHARED
            ? lock.acquireReadAsync(key, timeout)
            : lock.acquireWriteAsync(key, timeout);
      }

      @Override
      public String toString() {
        return lock.toString();
      }
    };
  }
}
