package dev.lockstep.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** {@link ReadWriteLock} as one fixed key of a {@link KeyedReadWriteLock}. */
final class SingleReadWriteLock implements ReadWriteLock {
  private static final Object RESOURCE =
      new Object() {
        @Override
        public String toString() {
          return "resource";
        }
      };

  private final KeyedReadWriteLock<Object> keyed;

  SingleReadWriteLock(KeyedReadWriteLock<Object> keyed) {
    this.keyed = keyed;
  }

  @Override
  public String name() {
    return keyed.name();
  }

  @Override
  public LockHandle acquireRead(Duration timeout) throws InterruptedException {
    return keyed.acquireRead(RESOURCE, timeout);
  }

  @Override
  public LockHandle acquireWrite(Duration timeout) throws InterruptedException {
    return keyed.acquireWrite(RESOURCE, timeout);
  }

  @Override
  public Optional<LockHandle> tryAcquireRead() {
    return keyed.tryAcquireRead(RESOURCE);
  }

  @Override
  public Optional<LockHandle> tryAcquireWrite() {
    return keyed.tryAcquireWrite(RESOURCE);
  }

  @Override
  public CompletableFuture<LockHandle> acquireReadAsync(Duration timeout) {
    return keyed.acquireReadAsync(RESOURCE, timeout);
  }

  @Override
  public CompletableFuture<LockHandle> acquireWriteAsync(Duration timeout) {
    return keyed.acquireWriteAsync(RESOURCE, timeout);
  }

  @Override
  public String toString() {
    return "ReadWriteLock[" + keyed.name() + "]";
  }
}
