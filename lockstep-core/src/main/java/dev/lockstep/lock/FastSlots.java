package dev.lockstep.lock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The fast path of a {@link LockEngine}: a fixed array of {@link #SLOTS} slots indexed by the low
 * bits of a key's spread hash (the same low bits choose the key's stripe, so a slot belongs to
 * exactly one stripe).
 *
 * <p>A slot is null (no key of the slot is held, waited for or in the stripe table), a {@link Node}
 * (that key is held and nobody waits: a fast hold) or {@link #INFLATED} (the slot's keys live in
 * the stripe table). An uncontended acquire is one CAS of the slot from null to its new node
 * ({@link #take}), its release one CAS back to null ({@link #release}); neither touches the stripe.
 * Anything else goes the slow way, under the stripe lock, which first inflates the slot ({@link
 * #inflate}): a fast hold found there is CASed out to {@link #INFLATED} and moved into the table as
 * an ordinary hold; its owner's release CAS then fails, and it releases under the stripe lock,
 * where it finds its real entry. The stripe counts the table's entries per slot; when the last one
 * retires ({@link #removed}), the slot is set back to null.
 *
 * <p>So every rule of the stripe table still holds: FIFO (a key with waiters is in the table, and
 * its slot stays inflated while any entry of the slot exists, so no newcomer takes it by CAS),
 * self-deadlock (found by the slow path once the key is inflated), zero retention (a released fast
 * hold leaves a null slot; an idle entry is removed and its slot freed). Outside the stripe lock a
 * slot only moves between null and a node; only a thread holding the stripe lock sets or clears
 * {@link #INFLATED}.
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

  /** The slots: null, a fast-held {@link Node} or {@link #INFLATED}. */
  final Object[] array = new Object[SLOTS];

  /** Per slot, the stripe table's entries of that slot; guarded by the slot's stripe lock. */
  private final int[] entries = new int[SLOTS];

  /** Takes the key's free slot (by its table hash): the new fast hold, or null if in use. */
  Node take(Entry fastEntry, Object key, Object owner, int hash) {
    int slot = hash & MASK;
    if (SLOT.getAcquire(array, slot) != null) {
      return null;
    }
    Node n = new Node(fastEntry, key, owner, hash);
    return SLOT.compareAndSet(array, slot, null, n) ? n : null;
  }

  /**
   * Releases a fast hold by CAS; false if it is no longer in its slot (released already, or
   * inflated: then its owner releases it under the stripe lock).
   */
  boolean release(Node n) {
    if (SLOT.compareAndSet(array, n.slot(), n, null)) {
      n.status(Node.RELEASED);
      return true;
    }
    return false;
  }

  /**
   * Makes the slot {@link #INFLATED}, moving a fast hold found in it into the table. Caller holds
   * the slot's stripe lock. Runs no user code (the holder's table hash is kept in its node, so its
   * key's {@code hashCode()} is never called again from this thread) and allocates nothing after
   * its CAS: the entry is obtained, and the table made room for it, before the slot changes, so an
   * error (an {@code OutOfMemoryError}) leaves the slot as it was.
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
      Node held = (Node) v;
      LockEngine engine = held.engine();
      Entry e = s.obtain(engine, held.key, held.hash()); // the hash its owner computed
      s.reserve();
      if (SLOT.compareAndSet(array, slot, v, INFLATED)) {
        engine.insert(s, e);
        e.hold(held);
        held.entry = e; // its owner's release CAS fails and comes here, under this lock
        return;
      }
      s.recycle(e); // the fast hold was released meanwhile: look again
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
