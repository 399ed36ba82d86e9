package dev.lockstep.lock;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link ReadWriteLock} seen as a {@link KeyedReadWriteLock} whose keys all name the one
 * resource, so that the keyed checks ({@link ReadWriteFairnessTest}, the stress harness) run on it
 * unchanged. {@link #activeKeys()} is 1 while anyone holds or waits, else 0. Owner-taking and
 * timed-try methods are not part of {@link ReadWriteLock} and are refused.
 */
final class SingleAsKeyed<K> implements KeyedReadWriteLock<K> {
  final ReadWriteLock lock;

  SingleAsKeyed(ReadWriteLock lock) {
    this.lock = lock;
  }

  @Override
  public String name() {
    return lock.name();
  }

  @Override
  public LockHandle acquireRead(K key, Duration timeout) throws InterruptedException {
    return lock.acquireRead(timeout);
  }

  @Override
  public LockHandle acquireWrite(K key, Duration timeout) throws InterruptedException {
    return lock.acquireWrite(timeout);
  }

  @Override
  public Optional<LockHandle> tryAcquireRead(K key) {
    return lock.tryAcquireRead();
  }

  @Override
  public Optional<LockHandle> tryAcquireWrite(K key) {
    return lock.tryAcquireWrite();
  }

  /** A timed try: the blocking acquisition, empty on timeout. */
  @Override
  public Optional<LockHandle> tryAcquireRead(K key, Duration timeout) throws InterruptedException {
    try {
      return Optional.of(lock.acquireRead(timeout));
    } catch (LockTimeoutException e) {
      return Optional.empty();
    }
  }

  /** A timed try: the blocking acquisition, empty on timeout. */
  @Override
  public Optional<LockHandle> tryAcquireWrite(K key, Duration timeout) throws InterruptedException {
    try {
      return Optional.of(lock.acquireWrite(timeout));
    } catch (LockTimeoutException e) {
      return Optional.empty();
    }
  }

  @Override
  public CompletableFuture<LockHandle> acquireReadAsync(K key, Duration timeout) {
    return lock.acquireReadAsync(timeout);
  }

  @Override
  public CompletableFuture<LockHandle> acquireWriteAsync(K key, Duration timeout) {
    return lock.acquireWriteAsync(timeout);
  }

  @Override
  public CompletableFuture<LockHandle> acquireReadAsync(K key, Duration timeout, LockOwner owner) {
    throw new UnsupportedOperationException("a ReadWriteLock takes no explicit owner");
  }

  @Override
  public CompletableFuture<LockHandle> acquireWriteAsync(K key, Duration timeout, LockOwner owner) {
    throw new UnsupportedOperationException("a ReadWriteLock takes no explicit owner");
  }

  @Override
  public void release(LockHandle handle) {
    Objects.requireNonNull(handle).close();
  }

  @Override
  public int activeKeys() {
    return lock instanceof SingleReadWriteLock s && s.idle() ? 0 : 1;
  }
}
