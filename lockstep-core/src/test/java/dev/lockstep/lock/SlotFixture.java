package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One key of a fresh {@link KeyedLock} and its fast slot, for the tests of a slot's moves (renewal,
 * reversion, what a replaced cell keeps reachable).
 */
final class SlotFixture {
  static final Duration LONG = Duration.ofSeconds(30);

  final KeyedLock<String> lock = KeyedLock.create();
  final LockEngine engine = ((ExclusiveKeyedLock<String>) lock).engine;
  final String key;
  final int slot;

  SlotFixture(String key) {
    this.key = key;
    this.slot = LockEngine.spread(key.hashCode()) & FastSlots.MASK;
  }

  /**
   * Puts the key's (stamped) slot in node mode: a stamped hold, converted by a try that inflates
   * the slot, then closed. Returns that hold: a stale handle from then on.
   */
  Node toNodeMode() throws InterruptedException {
    Node stamped = (Node) lock.acquire(key, LONG);
    assertNotNull(stamped.cell, "not a stamped hold");
    assertFalse(lock.tryAcquire(key).isPresent());
    stamped.close();
    assertNull(engine.slots.get(slot), "the slot is not free after its inflation");
    assertEquals(0, lock.activeKeys());
    return stamped;
  }

  /** Queues a waiter behind a node-mode hold of the key (contention), then lets it through. */
  void contend() throws Exception {
    LockHandle held = lock.acquire(key, LONG);
    CompletableFuture<Void> waiter =
        CompletableFuture.runAsync(
            () -> {
              try {
                lock.acquire(key, LONG).close();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    while (!queuedBehind(held)) {
      Thread.onSpinWait();
    }
    held.close();
    waiter.get(30, TimeUnit.SECONDS);
  }

  /** Whether a waiter has linked itself behind the node-mode hold {@code held}. */
  static boolean queuedBehind(LockHandle held) {
    return Node.NEXT.getAcquire((Node) held) != null;
  }
}
