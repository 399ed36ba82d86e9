package dev.lockstep.lock;

/**
 * Which threads read a {@link SingleReadWriteLock}, for its non-reentrancy checks (a reader asking
 * for the write lock, or asking to read again while a writer waits). Only the question "does the
 * calling thread hold a read hold?" is ever asked, and only by that thread.
 *
 * <p>Implementation notes: each thread's blocking read holds are chained, newest first, through
 * {@link RwNode#prevOwned} in a thread-local {@link Chain}; pushing a hold drops released holds on
 * top, so a chain stays as long as the holds its thread has open (plus released ones below an open
 * one). Only the owner thread touches its chain; holds may be closed by any thread, which only
 * flips their status. {@link #last} caches the last reader's chain so that a thread reading
 * repeatedly skips the thread-local lookup (as {@code ReentrantReadWriteLock}'s cached hold
 * counter; it keeps a thread id, not the thread). A read hold made for a thread by another thread
 * (a write hold downgraded by another thread) cannot go on its owner's chain: it goes to {@link
 * #strays}, guarded by the lock's queue lock.
 */
final class ReadOwners {

  /** One thread's read holds. */
  private static final class Chain {
    final long tid;
    RwNode top;

    Chain(long tid) {
      this.tid = tid;
    }
  }

  private final ThreadLocal<Chain> chains =
      ThreadLocal.withInitial(() -> new Chain(Thread.currentThread().threadId()));

  /** The chain of the thread that read last. Racy by design: {@code tid} is final. */
  private Chain last;

  /** Read holds owned by a thread that did not make them; guarded by the queue lock. */
  private RwNode strays;

  private Chain chain(Thread me) {
    Chain c = last;
    if (c == null || c.tid != me.threadId()) {
      c = chains.get();
      last = c;
    }
    return c;
  }

  /** Records a read hold of the calling thread. */
  void track(RwNode n) {
    Chain c = chain(Thread.currentThread());
    RwNode t = c.top;
    while (t != null && !t.isHeld()) {
      t = t.prevOwned;
    }
    n.prevOwned = t;
    c.top = n;
  }

  /** Records a read hold of another thread than the caller; caller holds the queue lock. */
  void trackStray(RwNode n) {
    n.prevOwned = strays;
    strays = n;
  }

  /** Whether the calling thread holds a read hold; caller holds the queue lock. */
  boolean readBy(Thread me) {
    for (RwNode t = chain(me).top; t != null; t = t.prevOwned) {
      if (t.isHeld()) {
        return true;
      }
    }
    RwNode prev = null;
    for (RwNode t = strays; t != null; t = t.prevOwned) {
      if (!t.isHeld()) {
        if (prev == null) {
          strays = t.prevOwned;
        } else {
          prev.prevOwned = t.prevOwned;
        }
      } else if (t.owner == me) {
        return true;
      } else {
        prev = t;
      }
    }
    return false;
  }
}
