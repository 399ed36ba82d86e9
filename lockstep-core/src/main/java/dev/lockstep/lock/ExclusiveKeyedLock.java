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
    return engine.acquireHold(key, timeout, true);
  }

  @Override
  public Optional<LockHandle> tryAcquire(K key) {
    Node h = engine.tryHold(key);
    try {
      return Optional.ofNullable(h);
    } catch (Throwable t) {
      giveBack(h, t);
      throw t;
    }
  }

  @Override
  public Optional<LockHandle> tryAcquire(K key, Duration timeout) throws InterruptedException {
    Node h = engine.acquireHold(key, timeout, false);
    try {
      return Optional.ofNullable(h);
    } catch (Throwable t) {
      giveBack(h, t);
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

  /**
   * Releases a hold whose {@code Optional} could not be made (an error after the take: see {@link
   * LockEngine#giveBack}); an error of the release is added to {@code t}. A no-op for null.
   */
  private void giveBack(Node h, Throwable t) {
    if (h == null || h.self != null) {
      engine.giveBack(h, t); // a no-op for null
      return;
    }
    try { // a stamped hold: its close straight from here, one frame less than the engine's way
      h.close();
    } catch (Throwable u) {
      if (u != t) {
        t.addSuppressed(u);
      }
    }
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
