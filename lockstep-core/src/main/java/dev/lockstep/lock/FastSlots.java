package dev.lockstep.lock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The fast path of a {@link LockEngine}: a fixed array of {@link #SLOTS} slots indexed by the low
 * bits of a key's spread hash (the same low bits choose the key's stripe, so a slot belongs to
 * exactly one stripe).
 *
 * <p>A slot is null (no key of the slot is held, waited for or in the stripe table), a {@link Node}
 * of one key (that key is held and its waiters, if any, form a hand-off chain: see below) or {@link
 * #INFLATED} (the slot's keys live in the stripe table). An uncontended acquire is one CAS of the
 * slot from null to its new node ({@link #take}), its release one CAS back to null ({@link
 * #release}); neither touches the stripe. Anything else goes the slow way, under the stripe lock,
 * which first inflates the slot ({@link #inflate}): the node found there is CASed out to {@link
 * #INFLATED} and the key gets a table entry that records it as {@link Entry#chainTail}. The stripe
 * counts the table's entries per slot; when the last one retires ({@link #removed}), the slot is
 * set back to null.
 *
 * <p>Hand-off chain (the hot key of two threads): a blocking acquire that finds its key held in the
 * slot by a HELD node (so nobody waits yet) queues behind it without any lock ({@link
 * #takeOrQueue}): it CASes the slot from the holder to its own WAITING node, links itself as the
 * holder's {@link Node#next}, and spins (platform threads only, up to {@code
 * LockEngine.CHAIN_SPIN}) then parks on its own node. The holder's release sees the successor (then
 * it does not try the slot's CAS: the successor has taken the slot), claims its own node (CAS HELD
 * → RELEASED, so a second {@code close()} is a no-op) and grants the successor by CAS WAITING →
 * HELD, unparking it only if it has parked ({@link Waiter#parked}); a waiter that gives up
 * (timeout, interrupt) CASes WAITING → CANCELLED instead, and a releaser that loses that race
 * releases the cancelled node on its behalf. So a hand-off touches the two nodes (and the parker of
 * a waiter that has parked), never the stripe. A chain has at most two nodes: whoever finds the
 * slot's node not HELD (a waiter is already queued) goes the slow way, and its inflation freezes
 * the chain: the chain's nodes still pass the key among themselves, the entry's queue waits behind
 * them (FIFO), and the chain's last releaser finds the slot inflated and ends the chain under the
 * stripe lock ({@link LockEngine#endChain}), granting the entry's queue.
 *
 * <p>So every rule of the stripe table still holds: FIFO (a newcomer takes a slot by CAS only when
 * it is null, and queues behind the slot's chain or the table entry otherwise), self-deadlock (a
 * thread that finds its own HELD node goes the slow way, where {@link Entry#heldBy} sees the
 * chain's holder), zero retention (a chain ends with a null slot or a retired entry; a cancelled
 * waiter stays linked only until its holder releases). Outside the stripe lock a slot only moves
 * between null and nodes; only a thread holding the stripe lock sets or clears {@link #INFLATED}.
 *
 * <p>Exactly once (a handle may be closed from any thread, any number of times, at once): a lone
 * fast hold's close is decided by its slot's CAS from the node back to null ({@link #release}), and
 * only the thread whose CAS succeeds writes RELEASED, with a release store (no second atomic). A
 * node never returns to a slot once it has left it (a new hold is a new node, and a stale handle
 * keeps its node reachable, so there is no ABA), so every other close's slot CAS fails: the slot is
 * null, or holds a newer node (of the same key, even one its owner took again the moment the handle
 * read released), a waiter, or {@link #INFLATED}. Such a close then tries the claim CAS HELD →
 * RELEASED; if it wins (the slot's winner has not written RELEASED yet), {@link #handOff} finds
 * nothing to do and returns: it acts only on a slot that still holds the node, a waiter whose
 * {@code prev} is the node, or (inflated) an entry whose chain ends with it ({@link
 * LockEngine#endChain}), and none can exist for a node that left its slot by a release (a waiter
 * queues only by a CAS that expects the node in the slot). So every close() returns with the status
 * RELEASED, the key is released once, and the next hold stays held. A node with a linked successor
 * skips the slot CAS, and one whose successor or inflation has taken the slot fails it: both are
 * claimed by the status CAS, the chain's exactly-once decision, and handed off once. The
 * uncontended cycle is therefore two atomics, the take's CAS and the release's; the release cannot
 * drop its own: a release by a plain store (read HELD and the node in the slot, store null) lets a
 * second close that read HELD before the first wrote RELEASED erase the next hold, and erases a
 * waiter that CASes itself into the slot between the read and the store ({@code
 * ConcurrentCloseTest} fails on that variant). Statistics, the wait-for graph (registry locks, so
 * the watchdog) and key limits turn the fast path off, and downgrade is for read-write locks only,
 * so none of them meets a fast node.
 *
 * <p>Cells: a slot's value lives in a small {@link Cell} of its own, not in an array element, and
 * every {@link #RENEWAL}-th take of a free slot moves the slot to a new cell that already holds the
 * new node (the old cell forwards to it for good: a CAS from null to the new cell, so it can no
 * longer be taken, and whoever meets the forward swings the array element over). The reason is G1's
 * post-write barrier: a fast hold stores a freshly allocated node into the slot, and a store into
 * an old object (a long-lived lock's slot array is promoted after some young collections) costs a
 * StoreLoad fence and a card-table check on every take, where a store into a young object is
 * filtered at once. With the node stored straight into the array, the uncontended cycle ran 55-58
 * M/s until the array was promoted and 40-45 M/s after (JMH, session 12; -XX:MaxTenuringThreshold=0
 * made it slow from the start, -XX:+UseParallelGC fast throughout), which is the swing within one
 * fork that sessions 9-11 saw. A renewed cell is young again, and a slot in use is renewed far more
 * often than objects get promoted; a slot used rarely pays the barrier as before. A renewal costs
 * one 24-byte cell per {@link #RENEWAL} takes; a slot keeps one cell once used (two for a moment
 * while renewed), so a lock that has used all its slots keeps 48 KB of cells.
 */
final class FastSlots {
  static final int BITS = 11;
  static final int SLOTS = 1 << BITS;
  static final int MASK = SLOTS - 1;

  /** Access to the elements of {@link #cells}. */
  private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(Cell[].class);

  /** Access to {@link Cell#value}. */
  private static final VarHandle VALUE;

  static {
    try {
      VALUE = MethodHandles.lookup().findVarHandle(Cell.class, "value", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Takes of a slot's free cell after which the taker moves the slot to a new cell: a power of two,
   * so that a cell lives for at most this many cycles (see the class notes on cells).
   */
  static final int RENEWAL = 1 << 12;

  /** A slot whose keys live in the stripe table. */
  static final Object INFLATED =
      new Object() {
        @Override
        public String toString() {
          return "inflated";
        }
      };

  /** Attempts of {@link #takeOrQueue} while the slot keeps changing, before the slow way. */
  private static final int QUEUE_TRIES = 16;

  /** Status checks a releaser spins while its successor links itself, before yielding. */
  private static final int LINK_SPINS = 64;

  /**
   * The slots' cells, each created on the slot's first use; a cell's value is the slot's: null, the
   * last {@link Node} of a key's chain, or {@link #INFLATED}.
   */
  private final Cell[] cells = new Cell[SLOTS];

  /** Per slot, the stripe table's entries of that slot; guarded by the slot's stripe lock. */
  private final int[] entries = new int[SLOTS];

  /** Takes the key's free slot (by its table hash): the new fast hold, or null if in use. */
  Node take(Entry fastEntry, Object key, Object owner, int hash) {
    int slot = hash & MASK;
    Cell c = (Cell) CELLS.getAcquire(cells, slot);
    if (c == null || VALUE.getAcquire(c) != null) {
      return null; // the slow way creates a slot's first cell
    }
    return claim(c, slot, new Node(fastEntry, key, owner, hash, Node.HELD));
  }

  /**
   * Sets a free cell to a new fast hold, or every {@link #RENEWAL}-th time moves the slot to a new
   * cell that holds it; null if the cell was not free (any more).
   *
   * <p>The take is counted after its CAS, when this thread owns the cell's line anyway. Counting
   * first stored to the cell between the read that found it free and the CAS: under a hot key (two
   * threads, one key; almost every take a lone fast hold, no parks) the other thread then caught
   * the free slot about twice as often (HotKeyProbe path counters, session 13: 0.57 M/s free-slot
   * takes by the other thread against 0.29 M/s), and the hot key ran at 8-15 M/s per JMH fork
   * instead of 14-18.
   */
  private Node claim(Cell c, int slot, Node n) {
    if (((c.takes + 1) & (RENEWAL - 1)) == 0) { // a racy count: an estimate is all renewal needs
      return renew(c, slot, n);
    }
    if (VALUE.compareAndSet(c, null, n)) {
      c.takes++;
      return n;
    }
    return null;
  }

  /**
   * Moves a free slot to a new cell holding {@code n}: the old cell forwards to the new one from
   * the CAS on (so no one can take it any more), and the slot's array element is made to point to
   * the new cell (by whoever gets there first: any thread that meets the forward helps).
   */
  private Node renew(Cell c, int slot, Node n) {
    Cell next = new Cell(n);
    if (!VALUE.compareAndSet(c, null, next)) {
      return null;
    }
    try {
      CELLS.compareAndSet(cells, slot, c, next);
    } catch (Throwable e) {
      // An error here (a StackOverflowError) must not lose the hold just taken: the forward
      // stands, and whoever meets it swings the element over (see cell()).
    }
    return n;
  }

  /** The slot's current cell (created on first use), following forwards of renewed cells. */
  Cell cell(int slot) {
    Cell c = (Cell) CELLS.getAcquire(cells, slot);
    if (c == null) {
      Cell first = new Cell(null);
      c = (Cell) CELLS.compareAndExchange(cells, slot, null, first);
      if (c == null) {
        return first;
      }
    }
    while (VALUE.getAcquire(c) instanceof Cell next) {
      CELLS.compareAndSet(cells, slot, c, next);
      c = next;
    }
    return c;
  }

  /** The slot's value: null, a {@link Node} or {@link #INFLATED}. */
  Object get(int slot) {
    Cell c = (Cell) CELLS.getAcquire(cells, slot);
    Object v = c == null ? null : VALUE.getVolatile(c);
    return v instanceof Cell ? VALUE.getVolatile(cell(slot)) : v;
  }

  /** CAS of the slot's value (never a cell) from {@code expect} to {@code update}. */
  private boolean cas(int slot, Object expect, Object update) {
    Cell c = (Cell) CELLS.getAcquire(cells, slot);
    while (true) {
      if (c == null) {
        c = cell(slot);
      }
      Object w = VALUE.compareAndExchange(c, expect, update);
      if (w == expect) {
        return true;
      }
      if (!(w instanceof Cell next)) {
        return false;
      }
      CELLS.compareAndSet(cells, slot, c, next);
      c = next;
    }
  }

  /**
   * For a blocking acquire: takes the key's free slot (a HELD node), or queues behind the key's
   * holder there (a WAITING node, linked as the holder's successor), retrying a few times while the
   * slot changes under it (a holder that leaves between a failed take and the queueing must not
   * send the key to the stripe table). Null when the slow way decides: slot inflated or another
   * key's, a waiter queued already, or held by {@code owner} itself.
   */
  Node takeOrQueue(Entry fastEntry, Object key, Object owner, int hash) {
    int slot = hash & MASK;
    for (int tries = 0; tries < QUEUE_TRIES; tries++) {
      Cell c = cell(slot);
      Object v = VALUE.getAcquire(c);
      if (v == null) {
        Node n = claim(c, slot, new Node(fastEntry, key, owner, hash, Node.HELD));
        if (n != null) {
          return n;
        }
        continue;
      }
      if (!(v instanceof Node t)) {
        if (v == INFLATED) {
          return null;
        }
        continue; // renewed meanwhile
      }
      int status = t.status();
      if (status == Node.RELEASED) {
        continue; // released since the slot was read: the slot changes (or has changed)
      }
      if (status != Node.HELD || t.owner == owner || !(t.key == key || t.key.equals(key))) {
        return null;
      }
      Waiter w = new Waiter(fastEntry, key, owner, hash, t);
      if (VALUE.compareAndSet(c, t, w)) {
        // t was still the slot's node, so still held (its release would have CASed it out first).
        try {
          Node.NEXT.setRelease(t, w);
        } catch (Throwable e) {
          // An error before the caller has its waiter: give the wait up (the holder's hand-off
          // links a waiter it finds unlinked, sees it cancelled and passes the key on).
          if (!cancel(w)) {
            w.engine().giveBack(w, e);
          }
          throw e;
        }
        return w;
      }
    }
    return null;
  }

  /**
   * Releases a node of the fast path: a lone hold by CAS of its slot back to null, a chain's node
   * by handing the key to its successor; a no-op for a node released already.
   */
  void release(LockEngine engine, Node n) {
    // A linked successor took the slot from n before linking itself: no slot CAS can succeed then.
    if (Node.NEXT.getAcquire(n) == null && cas(n.slot(), n, null)) {
      n.status(Node.RELEASED);
      return;
    }
    if (n.casStatus(Node.HELD, Node.RELEASED)) {
      handOff(engine, n);
    }
  }

  /**
   * Passes the key on from a released (or cancelled) node: grants its successor, or releases the
   * slot, or ends the frozen chain under the stripe lock; waits (briefly) for a successor that has
   * taken the slot but not linked itself yet.
   */
  private void handOff(LockEngine engine, Node x) {
    int slot = x.slot();
    int spins = 0;
    while (true) {
      Node s = (Node) Node.NEXT.getAcquire(x);
      if (s != null) {
        if (s.casStatus(Node.WAITING, Node.HELD)) {
          Waiter w = (Waiter) s;
          // Unlink the released past: a chain that never has a gap (two threads alternating) must
          // not keep every earlier node reachable, forwards from a closed handle a caller still
          // references through next, or backwards from the slot through prev (the granted waiter
          // clears its prev itself, so that its node's line is not written again here).
          Node.NEXT.setRelease(x, null);
          if (w.parked) { // a spinning waiter sees its grant without a wake-up
            LockSupport.unpark((Thread) s.owner);
          }
          return;
        }
        Node.NEXT.setRelease(x, null);
        x = s; // it gave up: release it on its behalf
        continue;
      }
      Object v = get(slot);
      if (v == x) {
        if (cas(slot, x, null)) {
          return;
        }
        continue;
      }
      if (v == INFLATED) {
        if (engine.endChain(x)) {
          return;
        }
      } else if (!(v instanceof Waiter w && w.prev == x)) {
        // Nobody queued behind x (a successor keeps x as its prev until linked): x left its slot
        // by the CAS of a close() that this second close() raced with (and claimed x first).
        return;
      } else {
        // A successor that took the slot links itself right after; link it on its behalf (the
        // same value), so that a successor that failed to (an error) does not stall the key.
        Node.NEXT.compareAndSet(x, null, w);
        continue;
      }
      if (++spins < LINK_SPINS) {
        Thread.onSpinWait();
      } else {
        spins = 0;
        Thread.yield();
      }
    }
  }

  /** Gives up a chain's waiting node; false if it was granted first. */
  static boolean cancel(Waiter w) {
    return w.casStatus(Node.WAITING, Node.CANCELLED);
  }

  /** The holder among a chain's last node and the node it queued behind, or null. */
  static Node holder(Node tail) {
    if (tail.status() == Node.HELD) {
      return tail;
    }
    Node p = tail instanceof Waiter w ? w.prev : null;
    if (p != null && p.status() == Node.HELD) {
      return p;
    }
    return tail.status() == Node.HELD ? tail : null; // granted meanwhile (its prev cleared)
  }

  /**
   * Makes the slot {@link #INFLATED}, giving the key of a chain found in it a table entry that
   * records the chain's last node. Caller holds the slot's stripe lock. Runs no user code (the
   * node's table hash is kept in it, so its key's {@code hashCode()} is never called again from
   * this thread) and allocates nothing after its CAS: the entry is obtained, and the table made
   * room for it, before the slot changes, so an error (an {@code OutOfMemoryError}) leaves the slot
   * as it was.
   */
  void inflate(Segment s, int slot) {
    while (true) {
      Object v = get(slot);
      if (v == INFLATED) {
        return;
      }
      if (v == null) {
        if (cas(slot, null, INFLATED)) {
          return;
        }
        continue; // a fast hold was taken meanwhile
      }
      Node last = (Node) v;
      LockEngine engine = last.engine();
      Entry e = s.obtain(engine, last.key, last.hash()); // the hash its owner computed
      s.reserve();
      if (cas(slot, v, INFLATED)) {
        engine.insert(s, e);
        e.chainTail = last; // the chain passes the key on; its last releaser ends it here
        return;
      }
      s.recycle(e); // the chain moved on meanwhile: look again
    }
  }

  /** Counts a new table entry of the slot. Caller holds the slot's stripe lock. */
  void added(int slot) {
    entries[slot]++;
  }

  /** Uncounts a retired table entry; frees the slot with its last entry. Caller holds the lock. */
  void removed(int slot) {
    if (--entries[slot] == 0) {
      VALUE.setRelease(cell(slot), null); // was INFLATED: the slot's keys are all gone
    }
  }

  /** Frees a slot inflated for nothing (a busy try, an error). Caller holds the stripe lock. */
  void settle(int slot) {
    if (entries[slot] == 0) {
      // Only this lock's own INFLATED: a slot that was never inflated may hold a live fast hold.
      cas(slot, INFLATED, null);
    }
  }

  /**
   * A slot's value holder. A slot is renewed (moved to a new cell) now and then so that its cell
   * stays a young object: see the class notes.
   */
  static final class Cell {
    /** The slot's value, or the cell that replaced this one (for good). */
    volatile Object value;

    /** Takes of this cell, counted without synchronization (renewal needs an estimate only). */
    int takes;

    Cell(Object value) {
      this.value = value;
    }
  }
}
