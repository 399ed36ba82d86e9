package dev.lockstep.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** {@link KeyedReadWriteLock} on the shared {@link LockEngine}. */
final class SharedKeyedReadWriteLock<K> implements KeyedReadWriteLock<K> {
  final LockEngine engine;

  SharedKeyedReadWriteLock(LockEngine engine) {
    this.engine = engine;
  }

  @Override
  public String name() {
    return engine.name;
  }

  @Override
  public LockHandle acquireRead(K key, Duration timeout) throws InterruptedException {
    return engine.await(key, LockMode.SHARED, timeout, true);
  }

  @Override
  public LockHandle acquireWrite(K key, Duration timeout) throws InterruptedException {
    return engine.await(key, LockMode.EXCLUSIVE, timeout, true);
  }

  @Override
  public Optional<LockHandle> tryAcquireRead(K key) {
    return Optional.ofNullable(engine.tryNow(key, LockMode.SHARED));
  }

  @Override
  public Optional<LockHandle> tryAcquireWrite(K key) {
    return Optional.ofNullable(engine.tryNow(key, LockMode.EXCLUSIVE));
  }

  @Override
  public Optional<LockHandle> tryAcquireRead(K key, Duration timeout) throws InterruptedException {
    return Optional.ofNullable(engine.await(key, LockMode.SHARED, timeout, false));
  }

  @Override
  public Optional<LockHandle> tryAcquireWrite(K key, Duration timeout) throws InterruptedException {
    return Optional.ofNullable(engine.await(key, LockMode.EXCLUSIVE, timeout, false));
  }

  @Override
  public CompletableFuture<LockHandle> acquireReadAsync(K key, Duration timeout) {
    return engine.async(key, LockMode.SHARED, timeout, null);
  }

  @Override
  public CompletableFuture<LockHandle> acquireReadAsync(K key, Duration timeout, LockOwner owner) {
    return engine.async(key, LockMode.SHARED, timeout, Handles.owner(owner));
  }

  @Override
  public CompletableFuture<LockHandle> acquireWriteAsync(K key, Duration timeout, LockOwner owner) {
    return engine.async(key, LockMode.EXCLUSIVE, timeout, Handles.owner(owner));
  }

  @Override
  public CompletableFuture<LockHandle> acquireWriteAsync(K key, Duration timeout) {
    return engine.async(key, LockMode.EXCLUSIVE, timeout, null);
  }

  @Override
  public void release(LockHandle handle) {
    engine.release(Handles.own(engine, handle));
  }

  @Override
  public int activeKeys() {
    return engine.activeKeys();
  }

  @Override
  public String toString() {
    return "KeyedReadWriteLock[" + engine.name + "]";
  }
}
