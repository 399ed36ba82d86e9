package dev.lockstep.lock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * A {@link Node} that waited, or that belongs to a lock that records statistics: it carries the
 * wake-up and timing state a plain hold does not need.
 */
final class Waiter extends Node {

  /**
   * The previous waiter in the queue (for O(1) withdrawal), guarded by the segment lock; for a
   * waiter of a fast hand-off chain, the node it queued behind (the holder then), set before the
   * slot's CAS publishes this waiter, and cleared by the waiter itself once it sees its grant (so a
   * gapless chain does not keep its released past reachable; the releaser does not write it, so as
   * not to take the line of the node its successor spins on once more).
   */
  Node prev;

  /** Chains waiters granted by one release, for waking after the segment lock is dropped. */
  Waiter wakeNext;

  /**
   * Set by a blocking waiter before it first parks (it spins before that, if at all); a hand-off
   * that grants a chain's waiter unparks it only if set (a Dekker pair with the status: the waiter
   * writes this then reads its status, the releaser writes the status then reads this).
   */
  volatile boolean parked;

  /** The async waiter's future, or null for a blocking waiter. */
  WaitFuture future;

  /** The async waiter's timeout task, or null. */
  ScheduledFuture<?> timer;

  /** When the wait began (recording only). */
  long waitStart;

  /** When the hold began (recording only). */
  long holdStart;

  Waiter(Entry entry, Object owner, LockMode mode) {
    super(entry, owner, mode);
  }

  /** A waiter of a fast hand-off chain (see {@link FastSlots#takeOrQueue}). */
  Waiter(Entry fastEntry, Object key, Object owner, int hash, Node holder) {
    super(fastEntry, key, owner, hash, WAITING);
    this.prev = holder;
  }

  /** The future of an asynchronous wait; cancelling it withdraws the wait. */
  static final class WaitFuture extends CompletableFuture<LockHandle> {
    private final Waiter node;

    WaitFuture(Waiter node) {
      this.node = node;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        node.engine().abandon(node, null);
      }
      return cancelled;
    }
  }
}
