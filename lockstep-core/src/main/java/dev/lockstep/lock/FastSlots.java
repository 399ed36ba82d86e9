package dev.lockstep.lock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The fast path of a {@link LockEngine}: a fixed array of {@link #SLOTS} slots indexed by the low
 * bits of a key's spread hash (the same low bits choose the key's stripe, so a slot belongs to
 * exactly one stripe). Design notes: {@code docs/design/stamped-fast-path.md}.
 *
 * <p>A slot is a {@link Cell} with a {@code long} {@link Cell#state}: a count in the high bits,
 * which only grows (so a stamp never repeats), and a mode in the low three bits:
 *
 * <ul>
 *   <li>{@link #FREE}: no key of the slot is held, waited for or in the stripe table.
 *   <li>{@link #LONE}: one hold, taken by a CAS of the state from FREE, whose <em>stamp</em> is the
 *       state itself. The hold's handle (a stamped {@link Node}) names only the cell and the stamp,
 *       so an uncontended cycle allocates nothing once the JIT has inlined it (escape analysis
 *       removes the handle), and is two CASes of one word: take and release ({@link Node#close}).
 *   <li>{@link #PUB}: a taker whose key or owner differs from the cell's last ones is writing them
 *       (plain stores), before a release store sets LONE. Others wait for it to end.
 *   <li>{@link #EXT}: the slot is governed by {@link Cell#value}, as the slot was before stamps:
 *       the last {@link Node} of a hand-off chain of one key, or {@link #INFLATED} (the slot's keys
 *       live in the stripe table). A null value under EXT is a moment of a transition.
 *   <li>{@link #CONV}: a contender or an inflation that won the state's CAS from LONE (or an
 *       inflation from FREE) is setting the value and the proxy, before a volatile write sets EXT.
 *       Others wait for it to end, the stamped holder's close included.
 * </ul>
 *
 * <p>So the value is written only under CONV (by the one thread that won the state's CAS) or under
 * EXT (by the chain's CASes, and under the stripe lock); under FREE, LONE and PUB it is null.
 *
 * <p>The cell keeps the last holder's key, owner and table hash ({@link Cell#key}, {@link
 * Cell#owner}, {@link Cell#hash}). A take of the same key object by the same thread stores none of
 * them (no G1 barrier); a contender reads them with a seqlock check of the state (read the state,
 * the fields, the state again), which is exact because they change only under PUB.
 *
 * <p>Contention. A blocking acquire that finds its own key held LONE (by another thread) converts
 * the hold into a hand-off chain ({@link #takeOrQueue}): with a {@link Proxy} node that stands for
 * the stamped hold and its own WAITING {@link Waiter} linked behind it made beforehand, it CASes
 * the state LONE(s) → CONV(s), the one atomic that decides against the holder's release (if it
 * fails, the holder has left and the acquire tries again), then stores the proxy ({@link
 * Cell#proxy}), the value (its waiter) and EXT(s) with field writes, which call nothing and so
 * cannot fail. From EXT on, the chain works as below, with the proxy as its first holder: the
 * stamped holder's close finds its CAS failed, finds the state's count still its own and the proxy
 * of its stamp, claims the proxy (CAS HELD → RELEASED, the exactly-once decision) and hands off
 * from it ({@link #slowClose}).
 *
 * <p>Hand-off chain (the hot key of two threads): a blocking acquire that finds its key held under
 * EXT by a HELD node (so nobody waits yet) queues behind it without any lock: it CASes the value
 * from the holder to its own WAITING node, links itself as the holder's {@link Node#next}, and
 * spins (platform threads only, up to {@code LockEngine.CHAIN_SPIN}) then parks on its own node.
 * The holder's release sees the successor, claims its own node (CAS HELD → RELEASED, so a second
 * {@code close()} is a no-op) and grants the successor by CAS WAITING → HELD, unparking it only if
 * it has parked ({@link Waiter#parked}); a waiter that gives up (timeout, interrupt) CASes WAITING
 * → CANCELLED instead, and a releaser that loses that race releases the cancelled node on its
 * behalf. The chain's last releaser ends it: value x → null by CAS; the slot stays EXT (node mode,
 * below). A chain has at most two nodes: whoever finds the slot's node not HELD (a waiter is
 * already queued) goes the slow way, and its inflation freezes the chain: the chain's nodes still
 * pass the key among themselves, the entry's queue waits behind them (FIFO), and the chain's last
 * releaser finds the slot inflated and ends the chain under the stripe lock ({@link
 * LockEngine#endChain}), granting the entry's queue.
 *
 * <p>Inflation ({@link #inflate}, under the stripe lock): a FREE slot is claimed (value null →
 * INFLATED, then state → EXT); a LONE hold gets a proxy that becomes its key's table entry's {@link
 * Entry#chainTail}, so the stamped holder's close ends the chain there; a chain's last node becomes
 * its entry's chain tail as before. The stripe counts the table's entries per slot; when the last
 * one retires ({@link #removed}), the slot's value goes back to null (node mode, below).
 *
 * <p>So every rule of the stripe table still holds: FIFO (a newcomer takes a slot only when it is
 * FREE, and queues behind the slot's holder or the table entry otherwise), self-deadlock (a thread
 * that finds its own hold goes the slow way, where {@link Entry#heldBy} sees the proxy or the
 * chain's holder), zero retention of entries (a chain ends with a FREE slot or a retired entry).
 * Only a thread holding the stripe lock sets or clears {@link #INFLATED}. A cell keeps a reference
 * to the last key and owner thread of its slot until the slot's next take by another key or thread:
 * at most {@link #SLOTS} keys per lock, whatever the number of keys used.
 *
 * <p>Exactly once (a handle may be closed from any thread, any number of times, at once): a stamped
 * hold's close is decided by the CAS of the state from its stamp to FREE(next); a stale close finds
 * another count and does nothing. A hold converted to EXT is closed through its proxy's status CAS;
 * a stale close finds the proxy released, or a newer proxy (of another stamp), or another count. A
 * chain node's close is decided by its value CAS or its status CAS, as in the chain above: a node
 * never returns to a slot once it has left it.
 *
 * <p>Errors (a {@code StackOverflowError} can meet any call, and in the interpreter a {@link
 * VarHandle} access is a call): nothing after a state change calls anything but a store that cannot
 * fail, except the publication's release store, whose failure gives the slot back by a volatile
 * field write ({@link #publish}); a conversion or an inflation writes the value, the proxy and EXT
 * by field writes after its CAS to CONV. {@code StackDepthScanTest} and {@code InterpretedScanTest}
 * scan every depth.
 *
 * <p>Cell layout: a cell is 48 bytes, not padded, so that its state and its value share a cache
 * line. Padded to 128 bytes (the padding longs laid out between the state and the references), the
 * hot key ran at half speed: 11–14 M/s against 17–24 M/s unpadded in the two-thread probe, session
 * 21. Cells are made on a slot's first use; a lock that has used every slot keeps 96 KB of cells.
 * Node mode: once a hold was converted or the slot inflated, the slot stays EXT and its value alone
 * governs it, as before stamps: null (free: {@link #nodeTake} and {@link #takeOrQueue} take it with
 * a node CAS), a chain's last node, or {@link #INFLATED}; a chain's end is the value's CAS back to
 * null. So a contended key pays no conversion after its first, and only the state's first
 * contention costs one.
 *
 * <p>Reversion (session 24): a node-mode slot that met no contention (no waiter queued, no
 * conversion: the high bits of {@link Cell#takes}) in its last {@link #QUIET} node takes moves back
 * to a new stamped cell on such a take ({@link #revert}, shaped like renewal below: the new cell,
 * LONE with the take's stamp, key, owner and hash, and its stamped node are made before the old
 * cell's forward CAS). Without it, two threads over 1,000 keys left ~70 % of the used slots in node
 * mode (a key meets the other thread about once in 2,000 holds, and one meeting was enough), where
 * every hold allocates a node that escapes into the cell; with it, 0.1–0.5 bytes per acquisition
 * (escape analysis removes the stamped node, see {@link Node}). {@code QUIET} is 1,024, not 64:
 * with 64, a hot key of two threads reverted and was converted back ~20,000 times a second (one
 * thread alone for 64 takes is common), and ran at 9–14 M/s against 17–23 in JMH forks.
 *
 * <p>Renewal (node mode only): every {@link #RENEWAL}-th node take of a free cell (unless the slot
 * reverts then) moves the slot to a new node-mode cell that already holds the new node; the old
 * cell forwards to it for good (a CAS of its value from null to the new cell, so it can no longer
 * be taken), and whoever meets the forward swings the array element over ({@link #cell}, {@link
 * #endSlot}, {@link #takeOrQueue}, {@link #inflate}); the thread that swings it replaces the
 * forward with {@link #MOVED}, so that a cell a stale handle keeps does not keep every later cell
 * reachable (review 22). The reason is G1's post-write barrier: a node-mode hold stores a freshly
 * allocated node into the cell, and a store into an old object costs a StoreLoad fence and a card
 * check on every take, where a store into a young object is filtered at once. Without renewal the
 * hot key (two threads, JMH) ran 26–34 M/s for a fork's first 4–5 seconds, then 12–13 M/s once the
 * cell was promoted (session 22); with it, 30–41 M/s throughout. A stamped hold stores no
 * reference, so a slot that is never contended keeps its first cell. A stale handle of the old cell
 * stays a no-op (of a renewal or a reversion alike): either needs a null value, so the old cell's
 * proxy (if any) was claimed, and its nodes left it by their release.
 */
final class FastSlots {
  static final int BITS = 11;
  static final int SLOTS = 1 << BITS;
  static final int MASK = SLOTS - 1;

  /** Modes of {@link Cell#state} (its low two bits) and the step of its count. */
  static final long FREE = 0;

  static final long LONE = 1;
  static final long EXT = 2;
  static final long PUB = 3;
  static final long CONV = 4;
  static final long MODE = 7;
  static final long STEP = 8;

  /** Access to the elements of {@link #cells}. */
  private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(Cell[].class);

  /** Access to {@link Cell#value}. */
  private static final VarHandle VALUE;

  /** Access to {@link Cell#state}. */
  static final VarHandle STATE;

  static {
    try {
      VALUE = MethodHandles.lookup().findVarHandle(Cell.class, "value", Object.class);
      STATE = MethodHandles.lookup().findVarHandle(Cell.class, "state", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A slot whose keys live in the stripe table. */
  static final Object INFLATED =
      new Object() {
        @Override
        public String toString() {
          return "inflated";
        }
      };

  /**
   * The value of a renewed cell once the slot's array element has been swung past it: its forward
   * is needed no more (whoever still reads this cell reads the element again), and a cell that a
   * stale handle keeps (a stamped {@link Node} names its cell for good) must not keep every cell
   * renewed after it reachable through the forwards.
   */
  static final Object MOVED =
      new Object() {
        @Override
        public String toString() {
          return "moved";
        }
      };

  /**
   * Node-mode takes of a slot's free cell after which the taker moves the slot to a new cell: a
   * power of two (see the class notes on renewal).
   */
  static final int RENEWAL = 1 << 12;

  /**
   * Node-mode takes without contention (no waiter queued in a chain, no conversion) after which a
   * take moves the slot back to a stamped cell ({@link #revert}): a power of two, at most {@link
   * #RENEWAL}. See the class notes for why 1,024.
   */
  static final int QUIET = 1 << 10;

  /** The bits of {@link Cell#takes} that count takes. */
  private static final int COUNT = 0xFFFF;

  /** Attempts of {@link #takeOrQueue} while the slot keeps changing, before the slow way. */
  private static final int QUEUE_TRIES = 16;

  /** Status checks a releaser spins while its successor links itself, before yielding. */
  private static final int LINK_SPINS = 64;

  /** The engine these slots belong to. */
  final LockEngine engine;

  /** The slots' cells, each created on the slot's first use. */
  private final Cell[] cells = new Cell[SLOTS];

  /** Per slot, the stripe table's entries of that slot; guarded by the slot's stripe lock. */
  private final int[] entries = new int[SLOTS];

  FastSlots(LockEngine engine) {
    this.engine = engine;
  }

  /** The key's cell by its table hash, or null before the slot's first use. */
  Cell cellOrNull(int hash) {
    // A racy read is enough. A stale (renewed) cell is EXT with a forward (or MOVED) as its value:
    // its takes
    // fail, and the slow way follows the forward. A renewed cell seen through the race with its
    // fields at their defaults fails its take's CAS (its real state is EXT, its value not null).
    return cells[hash & MASK];
  }

  /**
   * Takes a FREE cell for the key: the hold's stamp, or 0 if the cell is in use (or was taken
   * meanwhile). A take by the cell's last key object and owner is one CAS; any other publishes its
   * key and owner ({@link #publish}).
   */
  static long take(Cell c, long s, Object key, Object owner, int hash) {
    if ((s & MODE) != FREE) {
      return 0;
    }
    if (c.key == key && c.owner == owner && c.hash == hash) {
      return STATE.compareAndSet(c, s, s | LONE) ? s | LONE : 0;
    }
    return publish(c, s, key, owner, hash);
  }

  /**
   * Takes the FREE cell (state {@code s}) for a key or owner that differs from the cell's: CAS to
   * PUB, plain stores of key, owner and hash, then a release store of LONE. If that store throws
   * (interpreted, it is a call: a {@code StackOverflowError}), a volatile field write, which calls
   * nothing, gives the slot back before the error goes on.
   */
  private static long publish(Cell c, long s, Object key, Object owner, int hash) {
    if (!STATE.compareAndSet(c, s, s | PUB)) {
      return 0;
    }
    c.key = key;
    c.owner = owner;
    c.hash = hash;
    try {
      STATE.setRelease(c, s | LONE);
    } catch (Throwable e) {
      // FREE(next), not FREE(s): a taker that read the cell's old key and owner under FREE(s)
      // must lose its CAS (review of session 21: with FREE(s) it took a key the cell no longer
      // named, and the key could be taken twice). No stamp of count s was ever issued.
      c.state = (s & ~MODE) + STEP;
      throw e;
    }
    return s | LONE;
  }

  /**
   * Takes a node-mode slot (EXT with a null value) for the key: the new lone node hold, or null if
   * the slot is not in node mode or not free.
   */
  Node nodeTake(Cell c, Object key, Object owner, int hash) {
    if ((c.state & MODE) != EXT || c.value != null) {
      return null;
    }
    return claim(c, hash & MASK, new Node(engine.fastEntry, key, owner, hash, Node.HELD));
  }

  /**
   * Sets a free node-mode cell's value to a new lone node hold; or, every {@link #QUIET}-th take,
   * moves the slot to a new cell: a stamped one holding the hold as a stamped {@link Node} if the
   * slot has met no contention in its last {@link #QUIET} takes ({@link #revert}), else every
   * {@link #RENEWAL}-th take a node-mode one holding the node ({@link #renew}). Null if the cell
   * was not free (any more). The take is counted after its CAS, when this thread owns the cell's
   * line anyway.
   */
  private Node claim(Cell c, int slot, Node n) {
    int x = c.takes; // a racy count: an estimate is all renewal and reversion need
    int t = (x + 1) & COUNT;
    if ((t & (QUIET - 1)) == 0) {
      return renewOrRevert(c, slot, n, x, t);
    }
    if (VALUE.compareAndSet(c, null, n)) {
      c.takes = (x & ~COUNT) | t;
      return n;
    }
    return null;
  }

  /** The {@link #QUIET}-th take of {@link #claim}: reverts, renews or takes the cell as usual. */
  private Node renewOrRevert(Cell c, int slot, Node n, int x, int t) {
    if (((t - (x >>> 16)) & COUNT) >= QUIET) {
      return revert(c, slot, n);
    }
    if ((t & (RENEWAL - 1)) == 0) {
      return renew(c, slot, n);
    }
    if (VALUE.compareAndSet(c, null, n)) {
      c.takes = (x & ~COUNT) | t;
      return n;
    }
    return null;
  }

  /**
   * Moves a free node-mode slot that has met no contention for a while back to a stamped cell,
   * whose first hold (LONE, with {@code n}'s key, owner and hash published by the forward) is
   * returned as a stamped {@link Node}, made before the CAS: the old cell forwards to the new one
   * from the CAS on, as in {@link #renew}. So a slot that was contended once does not pay a node
   * per hold for good (2 threads over 1,000 keys: a key's holds meet the other thread about once in
   * 2,000).
   */
  private Node revert(Cell c, int slot, Node n) {
    long stamp = ((c.state & ~MODE) + STEP) | LONE; // never 0: a racy reader's take fails on it
    Cell next = new Cell(engine, stamp, n.key, n.owner, n.hash());
    Node h = new Node(engine.fastEntry, next, n.key);
    h.stamp = stamp;
    return forward(c, slot, next) ? h : null;
  }

  /**
   * Moves a free node-mode slot to a new cell (node mode too) holding {@code n}: the old cell
   * forwards to the new one from the CAS on (so no one can take it any more), and the slot's array
   * element is made to point to the new cell by whoever gets there first (any thread that meets the
   * forward helps). See the class notes on renewal.
   */
  private Node renew(Cell c, int slot, Node n) {
    return forward(c, slot, new Cell(engine, c.state, n)) ? n : null;
  }

  /**
   * Moves the free node-mode cell {@code c} of {@code slot} to {@code next} (made beforehand, with
   * its first hold in it), for {@link #renew} and {@link #revert}: false if {@code c} was not free
   * (any more). From the value's CAS on, {@code c} forwards to {@code next}; then this thread
   * swings the slot's element over, and an error there (a {@code StackOverflowError}) must not lose
   * the hold just taken: the forward stands, and whoever meets it swings the element (see cell()).
   */
  private boolean forward(Cell c, int slot, Cell next) {
    if (!VALUE.compareAndSet(c, null, next)) {
      return false;
    }
    try {
      swing(slot, c, next);
    } catch (Throwable e) {
      // the forward stands (see above)
    }
    return true;
  }

  /** The slot's current cell, created on first use. */
  Cell cell(int slot) {
    Cell c = (Cell) CELLS.getAcquire(cells, slot);
    if (c == null) {
      Cell first = new Cell(engine);
      c = (Cell) CELLS.compareAndExchange(cells, slot, null, first);
      if (c == null) {
        return first;
      }
    }
    return current(slot, c);
  }

  /**
   * The cell that {@code c} (the slot's, or a renewed one) forwards to, swinging the slot to it.
   */
  private Cell current(int slot, Cell c) {
    while (true) {
      Object v = c.value;
      if (v instanceof Cell next) {
        swing(slot, c, next);
        c = next;
      } else if (v == MOVED) {
        c = (Cell) CELLS.getAcquire(cells, slot); // swung past c before MOVED was written
      } else {
        return c;
      }
    }
  }

  /**
   * Swings the slot's element from {@code c} to the cell it forwards to; the one thread that does
   * replaces the forward with {@link #MOVED} (a field write, which calls nothing), so that no
   * renewed cell keeps its successors reachable. Only this thread writes a forwarded cell's value.
   */
  private void swing(int slot, Cell c, Cell next) {
    if (CELLS.compareAndSet(cells, slot, c, next)) {
      c.value = MOVED;
    }
  }

  /** The slot's current cell, or null before its first use. */
  private Cell currentOrNull(int slot) {
    Cell c = (Cell) CELLS.getAcquire(cells, slot);
    return c == null ? null : current(slot, c);
  }

  /**
   * The slot's value: null, a {@link Node} or {@link #INFLATED}; a forward or {@link #MOVED} only
   * if the slot was renewed meanwhile (so it was free since: no node of before is in it).
   */
  Object get(int slot) {
    Cell c = currentOrNull(slot);
    return c == null ? null : c.value;
  }

  /**
   * For a blocking acquire after the fast take failed: takes the key's FREE slot (returns the
   * stamped {@link Node}, made before the take), or takes it as a lone node in node mode, or queues
   * behind the key's holder there (returns a WAITING {@link Waiter}: behind a proxy of a LONE hold,
   * or behind a chain's HELD node), retrying a few times while the slot changes under it. Null when
   * the slow way decides: slot inflated or another key's, a waiter queued already, or held by
   * {@code owner} itself.
   */
  Node takeOrQueue(Entry fastEntry, Object key, Object owner, int hash) {
    Cell c = cell(hash & MASK);
    int spins = 0;

    for (int tries = 0; tries < QUEUE_TRIES; ) {
      long st = c.state;
      long mode = st & MODE;
      if (mode == FREE) {
        Node h = new Node(fastEntry, c, key); // before the take: nothing after it allocates
        long stamp = take(c, st, key, owner, hash);
        if (stamp != 0) {
          h.stamp = stamp;
          return h;
        }
        tries++;
        continue;
      }
      if (mode == PUB || mode == CONV) {
        spins = pause(spins); // a take or a conversion ends in a few instructions
        continue;
      }
      if (mode == LONE) {
        Object k = c.key;
        Object o = c.owner;
        int h = c.hash;
        VarHandle.acquireFence(); // the fields were read before the state is read again
        if (c.state != st) {
          continue;
        }
        if (o == owner || h != hash || !(k == key || k.equals(key))) {
          return null;
        }

        Proxy p = new Proxy(fastEntry, k, o, h, st);
        Waiter w = new Waiter(fastEntry, key, owner, hash, p);
        p.next = w; // published by the state's write of EXT
        if (!STATE.compareAndSet(c, st, (st & ~MODE) | CONV)) {
          tries++;
          continue; // the holder left, or another contender or an inflation won
        }
        c.proxy = p;
        c.value = w;
        int x = c.takes; // contention: the window of QUIET takes restarts (field accesses only)
        c.takes = (x & COUNT) | (x << 16);
        c.state = (st & ~MODE) | EXT;
        return w;
      }
      Object v = c.value;
      if (v == INFLATED) {
        return null;
      }
      if (v == null) {
        // Node mode, free: take it as a lone node (the slot's protocol before stamps).
        Node n = claim(c, hash & MASK, new Node(fastEntry, key, owner, hash, Node.HELD));
        if (n != null) {
          return n;
        }
        tries++;
        continue;
      }
      if (!(v instanceof Node t)) {
        c = current(hash & MASK, c); // renewed meanwhile
        continue;
      }
      int status = t.status();
      if (status == Node.RELEASED) {
        // Released since the slot was read: look again at once (a pause here let the releaser,
        // looping, take the key again first, and the hot key ran at half main's rate).
        tries++;
        continue;
      }
      if (status != Node.HELD || t.owner == owner || !(t.key == key || t.key.equals(key))) {
        return null;
      }
      Waiter w = new Waiter(fastEntry, key, owner, hash, t);
      tries++;
      if (VALUE.compareAndSet(c, t, w)) {
        // t was still the slot's node, so still held (its release would have CASed it out first).
        int x = c.takes; // contention: the window of QUIET takes restarts (field accesses only)
        c.takes = (x & COUNT) | (x << 16);
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
   * The close of a stamped hold whose CAS back to FREE failed: a no-op if the hold has ended (the
   * state's count moved on), else the hold was converted (EXT) and its proxy is claimed and handed
   * off from.
   */
  void slowClose(Cell c, long stamp) {
    while (true) {
      long st = c.state;
      if ((st & ~MODE) != (stamp & ~MODE)) {
        return; // released already (the count moved on)
      }
      long mode = st & MODE;
      if (mode == LONE) {
        if (STATE.compareAndSet(c, st, (st & ~MODE) + STEP)) {
          return;
        }
        continue;
      }
      if (mode == CONV) {
        Thread.onSpinWait(); // a contender converts this hold: it sets EXT next
        continue;
      }
      if (mode != EXT) {
        return; // not this hold's (it cannot be: a stamp's count is FREE or PUB only before it)
      }
      Proxy p = c.proxy; // set before the state's write of EXT(stamp) that this read saw
      if (p == null || p.stamp != stamp) {
        return;
      }
      if (p.casStatus(Node.HELD, Node.RELEASED)) {
        if (c.proxy == p) {
          c.proxy = null; // keeps neither its key nor its thread (a field write: no call)
        }
        handOff(p);
      }
      return;
    }
  }

  /** Whether the stamped hold is still held. */
  static boolean held(Cell c, long stamp) {
    long st = c.state;
    if (st == stamp || st == ((stamp & ~MODE) | CONV)) {
      return true; // LONE, or being converted (the hold stands)
    }
    if (st != ((stamp & ~MODE) | EXT)) {
      return false;
    }
    Proxy p = c.proxy;
    return p != null && p.stamp == stamp && p.status() == Node.HELD;
  }

  /**
   * Releases a node of the fast path (a chain's node): by ending the chain if it is the last,
   * otherwise by handing the key to its successor; a no-op for a node released already.
   */
  void release(Node n) {
    // A linked successor took the slot from n before linking itself: no value CAS can succeed then.
    if (Node.NEXT.getAcquire(n) == null && endSlot(n)) {
      n.status(Node.RELEASED);
      return;
    }
    if (n.casStatus(Node.HELD, Node.RELEASED)) {
      handOff(n);
    }
  }

  /**
   * Ends the chain whose last node is {@code x}: its slot's value x → null by CAS, following the
   * slot's renewed cells; the slot stays EXT (node mode). False if x is not the slot's value.
   */
  private boolean endSlot(Node x) {
    int slot = x.slot();
    Cell c = (Cell) CELLS.getAcquire(cells, slot);
    while (c != null) {
      Object w = VALUE.compareAndExchange(c, x, null);
      if (w == x) {
        return true;
      }
      if (w == MOVED) {
        c = (Cell) CELLS.getAcquire(cells, slot); // swung past c: read the element again
        continue;
      }
      if (!(w instanceof Cell next)) {
        return false;
      }
      swing(slot, c, next);
      c = next;
    }
    return false;
  }

  /**
   * Passes the key on from a released (or cancelled) node: grants its successor, or releases the
   * slot, or ends the frozen chain under the stripe lock; waits (briefly) for a successor that has
   * taken the slot but not linked itself yet.
   */
  private void handOff(Node x) {
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
        if (endSlot(x)) {
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

  /**
   * One spin of a wait for another thread's transition of a slot (a few instructions long, unless
   * that thread was descheduled): yields now and then. Returns the next spin count.
   */
  private static int pause(int spins) {
    if (++spins < LINK_SPINS) {
      Thread.onSpinWait();
      return spins;
    }
    Thread.yield();
    return 0;
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
   * The fast hold of the key, for the stripes' views: the owner of a stamped hold (a {@link
   * Thread}), the last {@link Node} of the key's chain, or null. Caller holds the key's stripe lock
   * (a stamped take or release takes none, so the cell is read with the seqlock check).
   */
  Object fastHold(Object key, int hash) {
    Cell c = currentOrNull(hash & MASK);
    if (c == null) {
      return null;
    }
    while (true) {
      long st = c.state;
      long mode = st & MODE;
      if (mode == FREE) {
        return null;
      }
      if (mode == EXT) {
        Object v = c.value;
        if (v instanceof Cell || v == MOVED) {
          c = current(hash & MASK, c); // renewed meanwhile
          continue;
        }
        return v instanceof Node n && n.key.equals(key) ? n : null;
      }
      Object k = c.key;
      Object o = c.owner;
      int h = c.hash;
      VarHandle.acquireFence();
      if (mode == PUB || mode == CONV || c.state != st) {
        Thread.onSpinWait(); // a take or a conversion in progress
        continue;
      }
      return h == hash && (k == key || k.equals(key)) ? o : null;
    }
  }

  /** Whether the slot holds a key on the fast path (for counting active keys). */
  boolean busy(int slot) {
    Cell c = currentOrNull(slot);
    if (c == null) {
      return false;
    }
    long mode = c.state & MODE;
    Object v = c.value; // a forward or MOVED: renewed meanwhile, the new cell holds a lone node
    return mode == LONE
        || mode == PUB
        || mode == CONV
        || (mode == EXT && (v instanceof Node || v instanceof Cell || v == MOVED));
  }

  /**
   * Makes the slot {@link #INFLATED}, giving the key of a hold found in it a table entry that
   * records the hold (a proxy of a stamped hold, or a chain's last node) as its chain tail. Caller
   * holds the slot's stripe lock. Runs no user code (the key's table hash is kept in the cell or
   * node, so its {@code hashCode()} is never called again from this thread) and allocates nothing
   * after its CAS: the entry and proxy are made, and the table made room for them, before the slot
   * changes, so an error (an {@code OutOfMemoryError}) leaves the slot as it was.
   */
  void inflate(Segment s, int slot) {
    Cell c = cell(slot);
    while (true) {
      long st = c.state;
      long mode = st & MODE;
      if (mode == FREE) {
        if (STATE.compareAndSet(c, st, (st & ~MODE) | CONV)) {
          c.value = INFLATED;
          c.state = (st & ~MODE) | EXT;
          return;
        }
        continue; // a fast hold was taken meanwhile: look again
      }
      if (mode == PUB || mode == CONV) {
        Thread.onSpinWait();
        continue;
      }
      if (mode == LONE) {
        Object k = c.key;
        Object o = c.owner;
        int h = c.hash;
        VarHandle.acquireFence();
        if (c.state != st) {
          continue;
        }
        Proxy p = new Proxy(engine.fastEntry, k, o, h, st);
        Entry e = s.obtain(engine, k, h);
        s.reserve();
        if (STATE.compareAndSet(c, st, (st & ~MODE) | CONV)) {
          c.proxy = p;
          c.value = INFLATED;
          c.state = (st & ~MODE) | EXT;
          engine.insert(s, e);
          e.chainTail = p; // the holder's close claims the proxy and ends the chain here
          return;
        }
        s.recycle(e); // released meanwhile: look again
        continue;
      }
      Object v = c.value;
      if (v == INFLATED) {
        return;
      }
      if (v instanceof Cell || v == MOVED) {
        c = current(slot, c); // renewed meanwhile
        continue;
      }
      if (v == null) {
        if (VALUE.compareAndSet(c, null, INFLATED)) {
          return;
        }
        continue; // a node hold was taken meanwhile
      }
      Node last = (Node) v;
      Entry e = s.obtain(engine, last.key, last.hash()); // the hash its owner computed
      s.reserve();
      if (VALUE.compareAndSet(c, v, INFLATED)) {
        engine.insert(s, e);
        e.chainTail = last; // the chain passes the key on; its last releaser ends it here
        return;
      }
      s.recycle(e); // the chain moved on meanwhile: look again
    }
  }

  /** Counts a new table entry of the slot. Caller holds the stripe lock. */
  void added(int slot) {
    entries[slot]++;
  }

  /**
   * Uncounts a retired table entry; frees the slot with its last entry (volatile field writes: they
   * call nothing, so they cannot fail half done). Caller holds the lock.
   */
  void removed(int slot) {
    if (--entries[slot] == 0) {
      // Was INFLATED: the slot's keys are all gone (node mode stays). An INFLATED cell is the
      // slot's element (see settle), so no forward is followed: that call could throw here.
      cells[slot].value = null;
    }
  }

  /** Frees a slot inflated for nothing (a busy try, an error). Caller holds the stripe lock. */
  void settle(int slot) {
    Cell c = cells[slot];
    if (entries[slot] == 0 && c != null) {
      // Only this lock's own INFLATED, under EXT (node mode stays). The slot's element is the
      // cell this thread inflated: inflate() swung the element to the cell it set INFLATED, which
      // cannot forward (a renewal needs a null value). Read directly: a call could throw here.
      VALUE.compareAndSet(c, INFLATED, null);
    }
  }

  /** A slot (see the class notes on its layout). */
  static final class Cell {
    /** Count and mode (see the class notes). */
    volatile long state;

    /** Under EXT: the last {@link Node} of a chain, or {@link #INFLATED}; else null. */
    volatile Object value;

    /** The last stamped holder's key; written under PUB only. */
    Object key;

    /** The last stamped holder's thread; written under PUB only. */
    Object owner;

    /** The last stamped holder's key's table hash; written under PUB only. */
    int hash;

    /**
     * The proxy of the stamped hold converted to EXT most recently; set before the state's CAS to
     * EXT that publishes it.
     */
    Proxy proxy;

    /**
     * Node-mode takes of this cell in the low 16 bits ({@link #COUNT}, wrapping), and in the high
     * 16 bits the count when the slot last met contention (a waiter queued, a conversion); written
     * without synchronization (renewal and reversion need estimates only). One int, not two: a
     * second int moved {@link #value} off the 16 bytes it shares with {@link #state} and {@link
     * #takes}.
     */
    int takes;

    final LockEngine engine;

    Cell(LockEngine engine) {
      this.engine = engine;
    }

    /**
     * A stamped cell that a node-mode slot reverts to ({@link #revert}): state LONE with its first
     * hold's stamp, and that hold's key, owner and hash.
     */
    Cell(LockEngine engine, long state, Object key, Object owner, int hash) {
      this.engine = engine;
      this.key = key;
      this.owner = owner;
      this.hash = hash;
      this.state = state; // last (review 24): a racy reader that sees LONE sees its fields too
    }

    /** A renewed node-mode cell: state EXT (as the old cell's), value its first lone node. */
    Cell(LockEngine engine, long state, Node value) {
      this.engine = engine;
      this.state = state;
      this.value = value;
    }
  }

  /**
   * The node that stands for a stamped hold once a contender has converted it into a chain (or an
   * inflation into an entry's chain tail): HELD until the stamped holder's close claims it.
   */
  static final class Proxy extends Node {
    /**
     * A proxy of the hold of {@code stamp}, kept in {@link Node#stamp}: a plain field, not final,
     * so a reader must reach the proxy after a volatile read of its cell's state that saw EXT
     * (written after the proxy and its stamp), as {@link #slowClose} and {@link #held} do; no other
     * reader reads its stamp.
     */
    Proxy(Entry fastEntry, Object key, Object owner, int hash, long stamp) {
      super(fastEntry, key, owner, hash, Node.HELD);
      this.stamp = stamp;
    }
  }
}
