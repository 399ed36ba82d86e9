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
    Node n = engine.tryNow(key, LockMode.SHARED);
    try {
      return Optional.ofNullable(n);
    } catch (Throwable t) {
      engine.giveBack(n, t); // see LockEngine#giveBack
      throw t;
    }
  }

  @Override
  public Optional<LockHandle> tryAcquireWrite(K key) {
    Node n = engine.tryNow(key, LockMode.EXCLUSIVE);
    try {
      return Optional.ofNullable(n);
    } catch (Throwable t) {
      engine.giveBack(n, t); // see LockEngine#giveBack
      throw t;
    }
  }

  @Override
  public Optional<LockHandle> tryAcquireRead(K key, Duration timeout) throws InterruptedException {
    Node n = engine.await(key, LockMode.SHARED, timeout, false);
    try {
      return Optional.ofNullable(n);
    } catch (Throwable t) {
      engine.giveBack(n, t); // see LockEngine#giveBack
      throw t;
    }
  }

  @Override
  public Optional<LockHandle> tryAcquireWrite(K key, Duration timeout) throws InterruptedException {
    Node n = engine.await(key, LockMode.EXCLUSIVE, timeout, false);
    try {
      return Optional.ofNullable(n);
    } catch (Throwable t) {
      engine.giveBack(n, t); // see LockEngine#giveBack
      throw t;
    }
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
