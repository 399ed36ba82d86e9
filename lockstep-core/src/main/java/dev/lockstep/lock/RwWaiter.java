package dev.lockstep.lock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.locks.LockSupport;

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

  /**
   * Set by a blocking waiter before it first parks (it spins before that, if at all); a grant
   * unparks it only if set (a Dekker pair with the status: the waiter writes this then reads its
   * status, the granter writes the status, a volatile write, then reads this).
   */
  volatile boolean parked;

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

  /** Set while a thread runs the callbacks of a granted asynchronous wait. */
  private static final ThreadLocal<Boolean> COMPLETING = new ThreadLocal<>();

  /** Wakes waiters granted together: unparks blocking ones, completes futures. */
  static void wakeAll(RwWaiter first) {
    for (RwWaiter n = first; n != null; ) {
      RwWaiter next = n.wakeNext;
      n.wakeNext = null;
      if (n.future == null) {
        if (n.parked) { // a spinning waiter sees its grant without a wake-up
          LockSupport.unpark((Thread) n.owner);
        }
      } else {
        n.complete();
      }
      n = next;
    }
  }

  /**
   * Completes a granted asynchronous wait. The future's callbacks run on this thread, unless this
   * thread is already running such callbacks: then a new virtual thread completes it, so chains of
   * asynchronous waiters neither deepen the stack nor wait for each other (as in {@code
   * LockEngine}).
   */
  private void complete() {
    if (COMPLETING.get() != null) {
      Thread.startVirtualThread(this::complete);
      return;
    }
    COMPLETING.set(Boolean.TRUE);
    try {
      try {
        if (timer != null) {
          timer.cancel(false);
        }
        lock.granted(this, null);
      } catch (Throwable t) {
        // The recorder threw (granted() gave the hold back) or an error: the wait fails with it.
        lock.release(this);
        future.completeExceptionally(t);
        return;
      }
      if (!future.complete(this)) {
        lock.release(this); // cancelled or failed meanwhile: nobody will close this hold
      }
    } finally {
      COMPLETING.remove();
    }
  }

  /** The daemon thread that starts the timeouts of asynchronous waits, created on first use. */
  static final class Timeouts {
    static final ScheduledThreadPoolExecutor TIMER = newTimer();

    private Timeouts() {}

    private static ScheduledThreadPoolExecutor newTimer() {
      ScheduledThreadPoolExecutor t =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread th = new Thread(r, "lockstep-rwlock-timeouts");
                th.setDaemon(true);
                return th;
              });
      t.setRemoveOnCancelPolicy(true);
      return t;
    }
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
