package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The reversion of a node-mode slot to a stamped cell (see {@link FastSlots}): a slot that met no
 * contention in its last {@link FastSlots#QUIET} node takes moves, on such a take, to a new stamped
 * cell whose first hold is that take's. The hold must be real (another thread cannot take the key
 * while it stands), stale handles of the old cell stay no-ops, and contention within the window
 * keeps the slot in node mode.
 *
 * <p>Shown to fail against deliberately broken variants (then reverted): a reverted cell created
 * FREE instead of LONE ({@code new Cell(engine, stamp & ~MODE, ...)}) fails {@link
 * #aQuietNodeModeSlotRevertsWithItsHoldInPlace} ("the reverted hold is not held"); a reversion that
 * ignores the contention count (the high bits of {@code Cell.takes}) fails {@link
 * #contentionWithinTheWindowKeepsNodeMode}.
 */
class SlotReversionTest {
  private static final Duration LONG = SlotFixture.LONG;
  private static final String KEY = "reverted";

  private final SlotFixture fixture = new SlotFixture(KEY);
  private final KeyedLock<String> lock = fixture.lock;
  private final LockEngine engine = fixture.engine;
  private final int slot = fixture.slot;

  private static boolean stamped(LockHandle h) {
    return ((Node) h).cell != null;
  }

  /** Whether another thread can take the key right now (it releases at once if it can). */
  private boolean takenElsewhere() throws Exception {
    return CompletableFuture.supplyAsync(
            () -> {
              Optional<LockHandle> h = lock.tryAcquire(KEY);
              h.ifPresent(LockHandle::close);
              return h.isPresent();
            })
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void aQuietNodeModeSlotRevertsWithItsHoldInPlace() throws Exception {
    fixture.toNodeMode();
    FastSlots.Cell nodeCell = engine.slots.cell(slot);
    LockHandle staleNode = lock.acquire(KEY, LONG);
    assertFalse(stamped(staleNode), "not in node mode");
    staleNode.close();
    int takes = 1;
    LockHandle reverted = null;
    while (reverted == null && takes < 4 * FastSlots.QUIET) {
      LockHandle h = lock.acquire(KEY, LONG);
      takes++;
      if (stamped(h)) {
        reverted = h;
      } else {
        h.close();
      }
    }
    assertNotNull(reverted, "no reversion in " + takes + " quiet takes");
    assertTrue(takes <= 2 * FastSlots.QUIET, "reverted only after " + takes + " takes");
    FastSlots.Cell now = engine.slots.cell(slot);
    assertNotSame(nodeCell, now, "the slot kept its node-mode cell");
    assertSame(now, ((Node) reverted).cell, "the reverted hold is not the new cell's");
    assertTrue(reverted.isHeld(), "the reverted hold is not held");
    assertTrue(lock.isLocked(KEY), "the key is not locked during the reverted hold");
    // (This try inflates the slot, converting the reverted hold: the slot is in node mode again.)
    assertFalse(takenElsewhere(), "another thread took the key during the reverted hold");
    staleNode.close(); // a stale handle of the old cell: still a no-op
    assertTrue(reverted.isHeld(), "a stale close released the reverted hold");
    reverted.close();
    assertFalse(reverted.isHeld());
    reverted.close(); // a second close: a no-op
    assertTrue(takenElsewhere(), "the key stayed held after the reverted hold's close");
    assertEquals(0, lock.activeKeys());
    assertNull(engine.slots.get(slot), "the slot is not free");
  }

  @Test
  void contentionWithinTheWindowKeepsNodeMode() throws Exception {
    fixture.toNodeMode();
    // Node takes 1 .. QUIET/2 quiet, then a waiter queues behind a hold (contention), then quiet
    // again: the window restarts there, so the QUIET-th take must not revert; a later one does.
    for (int i = 1; i < FastSlots.QUIET / 2; i++) {
      LockHandle h = lock.acquire(KEY, LONG);
      assertFalse(stamped(h), "reverted after " + i + " takes");
      h.close();
    }
    LockHandle held = lock.acquire(KEY, LONG);
    CompletableFuture<Boolean> waiter =
        CompletableFuture.supplyAsync(
            () -> {
              try (LockHandle h = lock.acquire(KEY, LONG)) {
                return stamped(h);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    while (!SlotFixture.queuedBehind(held)) {
      Thread.onSpinWait();
    }
    held.close();
    assertFalse(waiter.get(30, TimeUnit.SECONDS), "the waiter's hold was stamped");
    int takes = FastSlots.QUIET / 2 + 1;
    for (; takes <= FastSlots.QUIET + 8; takes++) {
      LockHandle h = lock.acquire(KEY, LONG);
      boolean s = stamped(h);
      h.close();
      assertFalse(s, "reverted at take " + takes + ", within QUIET takes of the contention");
    }
    boolean reverted = false;
    for (; !reverted && takes < 4 * FastSlots.QUIET; takes++) {
      LockHandle h = lock.acquire(KEY, LONG);
      reverted = stamped(h);
      h.close();
    }
    assertTrue(reverted, "never reverted after the contention");
    assertEquals(0, lock.activeKeys());
  }
}
