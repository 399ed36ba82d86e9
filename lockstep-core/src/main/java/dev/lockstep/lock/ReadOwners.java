package dev.lockstep.lock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Which threads read a {@link SingleReadWriteLock}, for its non-reentrancy checks (a reader asking
 * for the write lock, or asking to read again while a writer waits). Only the question "does the
 * calling thread hold a read hold?" is ever asked, and only by that thread.
 *
 * <p>Implementation notes: each thread counts its open blocking read holds in a thread-local {@link
 * Chain}: {@link Chain#opened} goes up when the thread takes a hold and down when the thread itself
 * closes one (plain writes: only the owner thread writes it); a hold closed by another thread adds
 * one to {@link Chain#closedElsewhere} instead (atomically). The thread holds a read hold exactly
 * while {@code opened - closedElsewhere > 0}. A scoped read (no hold object) counts in {@code
 * opened} too, up on entry and down on exit, both on its thread ({@link #mine}). A hold knows its
 * chain ({@link RwNode#chain}), so closing it needs no lookup. No reference to a hold is stored in
 * a long-lived object, so an uncontended read pays no GC card-marking fence (an earlier version
 * chained the holds themselves and paid it on every read). {@link #last} caches a recent reader's
 * chain so that a thread reading repeatedly skips the thread-local lookup (as {@code
 * ReentrantReadWriteLock}'s cached hold counter; it keeps a thread id, not the thread). It is
 * replaced only on every 64th miss of a thread, not on every miss: two threads reading in turn used
 * to rewrite it on every read, each read missing it in the other core's cache. A read hold made for
 * a thread by another thread (a write hold downgraded by another thread) cannot be counted by its
 * owner: it goes to {@link #strays}, guarded by the lock's queue lock.
 */
final class ReadOwners {

  /** One thread's read holds. */
  static final class Chain {
    private static final VarHandle CLOSED_ELSEWHERE;

    static {
      try {
        CLOSED_ELSEWHERE =
            MethodHandles.lookup().findVarHandle(Chain.class, "closedElsewhere", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final long tid;

    /** Holds taken minus holds closed by the owner thread; only the owner thread touches it. */
    int opened;

    /** Lookups that missed {@link #last}; only the owner thread touches it. */
    int misses;

    /** This chain as {@link #last}, made once. */
    private Last asLast;

    /** Holds closed by other threads; accessed through CLOSED_ELSEWHERE. */
    @SuppressWarnings("unused")
    private volatile int closedElsewhere;

    Chain(long tid) {
      this.tid = tid;
    }

    /** Whether the owner thread holds a read hold; asked by the owner thread only. */
    boolean reads() {
      return opened - closedElsewhere > 0;
    }

    /**
     * One of this chain's holds was closed by another thread than its owner (exactly once, after
     * its HELD → RELEASED); a close by the owner takes one from {@link #opened} instead.
     */
    void closedElsewhere() {
      CLOSED_ELSEWHERE.getAndAdd(this, 1);
    }
  }

  private final ThreadLocal<Chain> chains =
      ThreadLocal.withInitial(() -> new Chain(Thread.currentThread().threadId()));

  /**
   * {@link ReadOwners#last}: a thread id and its chain, never written once made. Not the chain
   * itself: its owner writes the chain's counters on every read, so another thread checking the id
   * there would miss it in its cache each time; this record's line is only ever read.
   */
  record Last(long tid, Chain chain) {}

  /**
   * The chain of a thread that read recently. Racy by design: its fields are final. Replaced only
   * on every {@link #ADOPT_AFTER}th miss of a thread, so that two threads reading in turn do not
   * write it (and miss it in each other's cache) on every read.
   */
  private Last last;

  private static final int ADOPT_AFTER = 64;

  /** Read holds owned by a thread that did not make them; guarded by the queue lock. */
  private RwNode strays;

  private Chain chain(Thread me) {
    Last l = last;
    if (l != null && l.tid == me.threadId()) {
      return l.chain;
    }
    Chain c = chains.get();
    if (l == null || ++c.misses == ADOPT_AFTER) {
      c.misses = 0;
      if (c.asLast == null) {
        c.asLast = new Last(c.tid, c);
      }
      last = c.asLast;
    }
    return c;
  }

  /**
   * The chain of {@code me}, the calling thread: fetched before a read's CAS, so that counting the
   * hold after it calls nothing (the first lookup of a thread allocates its chain).
   */
  Chain of(Thread me) {
    return chain(me);
  }

  /** The calling thread's chain, for a scoped read to count itself in and out. */
  Chain mine() {
    return chain(Thread.currentThread());
  }

  /** Records a read hold of another thread than the caller; caller holds the queue lock. */
  void trackStray(RwNode n) {
    n.prevOwned = strays;
    strays = n;
  }

  /** Whether the calling thread holds a read hold; caller holds the queue lock. */
  boolean readBy(Thread me) {
    if (chain(me).reads()) {
      return true;
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
