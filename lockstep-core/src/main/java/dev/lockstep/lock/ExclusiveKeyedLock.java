package dev.lockstep.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** {@link KeyedLock} on the shared {@link LockEngine}: every hold is exclusive. */
final class ExclusiveKeyedLock<K> implements KeyedLock<K> {
  final LockEngine engine;

  ExclusiveKeyedLock(LockEngine engine) {
    this.engine = engine;
  }

  @Override
  public String name() {
    return engine.name;
  }

  @Override
  public LockHandle acquire(K key, Duration timeout) throws InterruptedException {
    return engine.await(key, LockMode.EXCLUSIVE, timeout, true);
  }

  @Override
  public Optional<LockHandle> tryAcquire(K key) {
    Node n = engine.tryNow(key, LockMode.EXCLUSIVE);
    try {
      return Optional.ofNullable(n);
    } catch (Throwable t) {
      engine.giveBack(n, t); // see LockEngine#giveBack
      throw t;
    }
  }

  @Override
  public Optional<LockHandle> tryAcquire(K key, Duration timeout) throws InterruptedException {
    Node n = engine.await(key, LockMode.EXCLUSIVE, timeout, false);
    try {
      return Optional.ofNullable(n);
    } catch (Throwable t) {
      engine.giveBack(n, t); // see LockEngine#giveBack
      throw t;
    }
  }

  @Override
  public CompletableFuture<LockHandle> acquireAsync(K key, Duration timeout) {
    return engine.async(key, LockMode.EXCLUSIVE, timeout, null);
  }

  @Override
  public CompletableFuture<LockHandle> acquireAsync(K key, Duration timeout, LockOwner owner) {
    return engine.async(key, LockMode.EXCLUSIVE, timeout, Handles.owner(owner));
  }

  @Override
  public void release(LockHandle handle) {
    engine.release(Handles.own(engine, handle));
  }

  @Override
  public boolean isLocked(K key) {
    return engine.isLocked(key);
  }

  @Override
  public int activeKeys() {
    return engine.activeKeys();
  }

  @Override
  public String toString() {
    return "KeyedLock[" + engine.name + "]";
  }
}
