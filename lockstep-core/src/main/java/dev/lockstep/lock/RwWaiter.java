package dev.lockstep.lock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * An {@link RwNode} that waited, or that belongs to a lock that records statistics: it carries the
 * queue links, wake-up and timing state a plain hold does not need.
 */
final class RwWaiter extends RwNode {

  /** Queue links; guarded by the queue lock. */
  RwWaiter prev;

  RwWaiter next;

  /** Chains waiters granted together, for waking after the queue lock is dropped. */
  RwWaiter wakeNext;

  /** The asynchronous waiter's future, or null for a blocking waiter. */
  WaitFuture future;

  /** The asynchronous waiter's timeout task, or null. */
  ScheduledFuture<?> timer;

  /** When the wait began (recording only). */
  long waitStart;

  /** When the hold began (recording only). */
  long holdStart;

  RwWaiter(SingleReadWriteLock lock, Object owner, boolean shared, int status) {
    super(lock, owner, shared, status);
  }

  /** The future of an asynchronous wait; cancelling it withdraws the wait. */
  static final class WaitFuture extends CompletableFuture<LockHandle> {
    private final RwWaiter node;

    WaitFuture(RwWaiter node) {
      this.node = node;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        node.lock.abandon(node, null);
      }
      return cancelled;
    }
  }
}
