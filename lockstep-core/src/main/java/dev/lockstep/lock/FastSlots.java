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
 */
final class FastSlots {
  static final int BITS = 11;
  static final int SLOTS = 1 << BITS;
  static final int MASK = SLOTS - 1;

  /** Access to the elements of {@link #array}. */
  static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

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

  /** The slots: null, the last {@link Node} of a key's chain, or {@link #INFLATED}. */
  final Object[] array = new Object[SLOTS];

  /** Per slot, the stripe table's entries of that slot; guarded by the slot's stripe lock. */
  private final int[] entries = new int[SLOTS];

  /** Takes the key's free slot (by its table hash): the new fast hold, or null if in use. */
  Node take(Entry fastEntry, Object key, Object owner, int hash) {
    int slot = hash & MASK;
    if (SLOT.getAcquire(array, slot) != null) {
      return null;
    }
    Node n = new Node(fastEntry, key, owner, hash, Node.HELD);
    return SLOT.compareAndSet(array, slot, null, n) ? n : null;
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
      Object v = SLOT.getAcquire(array, slot);
      if (v == null) {
        Node n = new Node(fastEntry, key, owner, hash, Node.HELD);
        if (SLOT.compareAndSet(array, slot, null, n)) {
          return n;
        }
        continue;
      }
      if (!(v instanceof Node t)) {
        return null; // inflated
      }
      int status = t.status();
      if (status == Node.RELEASED) {
        continue; // released since the slot was read: the slot changes (or has changed)
      }
      if (status != Node.HELD || t.owner == owner || !(t.key == key || t.key.equals(key))) {
        return null;
      }
      Waiter w = new Waiter(fastEntry, key, owner, hash, t);
      if (SLOT.compareAndSet(array, slot, t, w)) {
        // t was still the slot's node, so still held (its release would have CASed it out first).
        Node.NEXT.setRelease(t, w);
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
    if (Node.NEXT.getAcquire(n) == null && SLOT.compareAndSet(array, n.slot(), n, null)) {
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
      Object v = SLOT.getVolatile(array, slot);
      if (v == x) {
        if (SLOT.compareAndSet(array, slot, x, null)) {
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
      Object v = SLOT.getVolatile(array, slot);
      if (v == INFLATED) {
        return;
      }
      if (v == null) {
        if (SLOT.compareAndSet(array, slot, null, INFLATED)) {
          return;
        }
        continue; // a fast hold was taken meanwhile
      }
      Node last = (Node) v;
      LockEngine engine = last.engine();
      Entry e = s.obtain(engine, last.key, last.hash()); // the hash its owner computed
      s.reserve();
      if (SLOT.compareAndSet(array, slot, v, INFLATED)) {
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
      SLOT.setRelease(array, slot, null); // was INFLATED: the slot's keys are all gone
    }
  }

  /** Frees a slot inflated for nothing (a busy try, an error). Caller holds the stripe lock. */
  void settle(int slot) {
    if (entries[slot] == 0) {
      // Only this lock's own INFLATED: a slot that was never inflated may hold a live fast hold.
      SLOT.compareAndSet(array, slot, INFLATED, null);
    }
  }
}
