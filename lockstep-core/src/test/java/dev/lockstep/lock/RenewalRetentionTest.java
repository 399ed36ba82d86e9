package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Review 22: what a replaced cell keeps reachable (see {@link FastSlots}, renewal and reversion). A
 * stamped {@link Node} names its cell for good, and a user may keep a closed handle as long as it
 * likes. A slot moves to a new cell by renewal (node mode) or by reversion (back to stamped), and
 * the old cell forwards to the new one; with each forward kept for good, a kept handle's cell kept
 * every later cell of its slot reachable, without bound (some 7,000 cells a second on a hot key
 * before reversion existed).
 *
 * <p>Failed on commit 0467f79 (forwards kept for good) with "4 renewed cells reachable" and "a
 * renewed cell is kept reachable"; since session 24 the cells are replaced by reversion here, and
 * the test fails the same way with a {@code FastSlots.swing} that keeps the forward (no {@link
 * FastSlots#MOVED}): "5 replaced cells reachable from a stale handle's cell".
 */
class RenewalRetentionTest {
  private static final Duration LONG = SlotFixture.LONG;
  private static final String KEY = "retained";

  private final SlotFixture fixture = new SlotFixture(KEY);
  private final KeyedLock<String> lock = fixture.lock;
  private final LockEngine engine = fixture.engine;
  private final int slot = fixture.slot;

  /** Quiet node takes until the slot reverts to a new stamped cell; returns that cell. */
  private FastSlots.Cell revert() throws InterruptedException {
    FastSlots.Cell before = engine.slots.cell(slot);
    for (int i = 0; i < 4 * FastSlots.QUIET && engine.slots.cell(slot) == before; i++) {
      lock.acquire(KEY, LONG).close();
    }
    FastSlots.Cell after = engine.slots.cell(slot);
    assertNotSame(before, after, "the slot never reverted");
    return after;
  }

  @Test
  void aStaleHandlesCellForwardsToNoChainOfReplacedCells() throws Exception {
    Node stale = fixture.toNodeMode();
    FastSlots.Cell first = stale.cell;
    revert();
    for (int i = 0; i < 4; i++) {
      fixture.toNodeMode();
      revert();
    }
    int reachable = 0;
    for (Object v = first.value; v instanceof FastSlots.Cell c; v = c.value) {
      reachable++;
    }
    assertTrue(reachable <= 1, reachable + " replaced cells reachable from a stale handle's cell");
    assertFalse(stale.isHeld());
    stale.close(); // still a no-op
    LockHandle h = lock.acquire(KEY, LONG);
    stale.close();
    assertTrue(lock.isLocked(KEY), "a stale close() released the new hold");
    h.close();
    assertEquals(0, lock.activeKeys());
  }

  @Test
  void aReplacedCellIsCollectedWhileAStaleHandleLives() throws Exception {
    Node stale = fixture.toNodeMode();
    WeakReference<FastSlots.Cell> replaced = new WeakReference<>(revert());
    assertNotSame(stale.cell, replaced.get(), "the slot never moved to a new cell");
    fixture.toNodeMode();
    revert();
    fixture.toNodeMode();
    revert();
    for (int i = 0; i < 20 && replaced.get() != null; i++) {
      System.gc();
    }
    assertNull(replaced.get(), "a replaced cell is kept reachable");
    assertFalse(stale.isHeld()); // keeps the stale handle (and its cell) reachable up to here
  }
}
