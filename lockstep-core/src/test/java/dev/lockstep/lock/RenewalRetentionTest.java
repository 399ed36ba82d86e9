package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Review 22: what a renewed cell keeps reachable (see {@link FastSlots}, renewal). A stamped {@link
 * Node} names its cell for good, and a user may keep a closed handle as long as it likes; the
 * slot's first cell is the only one that ever issues stamps, and once the slot is in node mode it
 * is renewed away. With each renewed cell forwarding to the next for good, the kept handle's cell
 * kept every cell renewed after it reachable: one more cell per {@link FastSlots#RENEWAL} node
 * takes of the key, without bound (some 7,000 cells a second on a hot key).
 *
 * <p>Fails on commit 0467f79 (forwards kept for good): "4 renewed cells reachable" and "a renewed
 * cell is kept reachable". Passes once the thread that swings the slot's element past a cell
 * replaces its forward with {@link FastSlots#MOVED}.
 */
class RenewalRetentionTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final String KEY = "retained";

  private final KeyedLock<String> lock = KeyedLock.create();
  private final LockEngine engine = ((ExclusiveKeyedLock<String>) lock).engine;
  private final int slot = LockEngine.spread(KEY.hashCode()) & FastSlots.MASK;

  /** A stamped hold, converted (by a try that inflates the slot) and closed: a stale handle. */
  private Node staleStampedHandle() throws InterruptedException {
    Node stamped = assertInstanceOf(Node.class, lock.acquire(KEY, LONG));
    assertNotNull(stamped.cell, "not a stamped hold");
    assertFalse(lock.tryAcquire(KEY).isPresent());
    stamped.close();
    assertNull(engine.slots.get(slot), "the slot is not free after its inflation");
    return stamped;
  }

  private void cycle(int holds) throws InterruptedException {
    for (int i = 0; i < holds; i++) {
      lock.acquire(KEY, LONG).close();
    }
  }

  @Test
  void aStaleHandlesCellForwardsToNoChainOfRenewedCells() throws Exception {
    Node stale = staleStampedHandle();
    FastSlots.Cell first = stale.cell;
    cycle(4 * FastSlots.RENEWAL);
    assertNotSame(first, engine.slots.cell(slot), "the slot was never renewed");
    int reachable = 0;
    for (Object v = first.value; v instanceof FastSlots.Cell c; v = c.value) {
      reachable++;
    }
    assertTrue(reachable <= 1, reachable + " renewed cells reachable from a stale handle's cell");
    assertFalse(stale.isHeld());
    stale.close(); // still a no-op
    LockHandle h = lock.acquire(KEY, LONG);
    stale.close();
    assertTrue(lock.isLocked(KEY), "a stale close() released the new hold");
    h.close();
    assertEquals(0, lock.activeKeys());
  }

  @Test
  void aRenewedCellIsCollectedWhileAStaleHandleLives() throws Exception {
    Node stale = staleStampedHandle();
    cycle(FastSlots.RENEWAL + 1);
    WeakReference<FastSlots.Cell> renewed = new WeakReference<>(engine.slots.cell(slot));
    assertNotSame(stale.cell, renewed.get(), "the slot was never renewed");
    cycle(2 * FastSlots.RENEWAL);
    for (int i = 0; i < 20 && renewed.get() != null; i++) {
      System.gc();
    }
    assertNull(renewed.get(), "a renewed cell is kept reachable");
    assertFalse(stale.isHeld()); // keeps the stale handle (and its cell) reachable up to here
  }
}
