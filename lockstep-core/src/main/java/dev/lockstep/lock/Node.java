package dev.lockstep.lock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One acquisition: a waiter while queued, then the {@link LockHandle} of the hold. Status moves
 * WAITING → HELD → RELEASED, or WAITING → CANCELLED; every change of a table node happens under the
 * entry's segment lock, every change of a fast-path node (a fast hold or a hand-off chain's waiter,
 * see {@link FastSlots}) by CAS or by the one thread whose slot CAS released it, and {@link #state}
 * is volatile so that a parked waiter sees its grant.
 *
 * <p>Implementation notes: an uncontended hold of a lock without statistics allocates just this
 * object (four references and an int: 32 bytes with compressed oops; the key's {@link Entry} is
 * recycled by its stripe), so the fields a waiter needs live in the {@link Waiter} subclass. The
 * mode and the key's slot index (the low bits of its spread hash, see {@link LockEngine}) are
 * packed into {@link #state}. A fast hold (taken by one CAS of the key's slot, see {@link
 * LockEngine}) has its engine's sentinel {@link LockEngine#fastEntry} as {@link #entry} for good;
 * inflation records it in the key's table entry instead ({@link Entry#chainTail}).
 */
sealed class Node implements LockHandle permits Waiter, FastSlots.Proxy {
  static final int WAITING = 0;
  static final int HELD = 1;
  static final int RELEASED = 2;
  static final int CANCELLED = 3;
  private static final int STATUS = 3;
  private static final int SHARED = 4;
  private static final int HASH_SHIFT = 3;

  /** The bits of a table hash ({@link LockEngine#spread}): all that fit above the status bits. */
  static final int HASH_BITS = 32 - HASH_SHIFT;

  static final int HASH_MASK = (1 << HASH_BITS) - 1;
  private static final VarHandle STATE;

  /**
   * Access to {@link #next}, which a hand-off chain (see {@link FastSlots}) links outside locks.
   */
  static final VarHandle NEXT;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Node.class, "state", int.class);
      NEXT = MethodHandles.lookup().findVarHandle(Node.class, "next", Node.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * The key's entry; for a node of the fast path (a fast hold or a waiter of its hand-off chain),
   * {@link LockEngine#fastEntry}, for good: such a node never joins a table entry (see {@link
   * FastSlots}).
   */
  final Entry entry;

  /** The key, kept here because a released node's entry may already serve another key. */
  final Object key;

  /** The owning {@link Thread}, or a {@link LockOwner} for asynchronous acquisitions. */
  final Object owner;

  /**
   * Status in the low two bits, {@link #SHARED} for a shared hold, the key's table hash from bit
   * {@link #HASH_SHIFT} on. Written only under the segment lock (or by the one thread whose CAS
   * released a fast hold), with release stores (a full volatile store would fence on every hold and
   * release); read as a volatile by waiters spinning or parked outside the lock.
   */
  private volatile int state;

  /**
   * Next in the wait queue or the reader list, guarded by the segment lock; for a node of the fast
   * path, its successor in the key's hand-off chain, accessed through {@link #NEXT}.
   */
  Node next;

  Node(Entry entry, Object owner, LockMode mode) {
    this.entry = entry;
    this.key = entry.key;
    this.owner = owner;
    STATE.set(
        this,
        (entry.hash << HASH_SHIFT)
            | (mode == LockMode.SHARED ? SHARED : 0)); // published by the segment lock
    VarHandle.releaseFence(); // see the fast constructor
  }

  /**
   * A node of the fast path with the given table hash and status: a fast hold (HELD) or a waiter of
   * a hand-off chain (WAITING); published by the slot's CAS.
   */
  Node(Entry fastEntry, Object key, Object owner, int hash, int status) {
    this.entry = fastEntry;
    this.key = key;
    this.owner = owner;
    STATE.set(this, (hash << HASH_SHIFT) | status);
    // state is written with a plain store: this fence gives a handle that reaches another thread
    // through a data race the same view of it that a final field would.
    VarHandle.releaseFence();
  }

  final int status() {
    return state & STATUS;
  }

  /**
   * Changes the status from {@code from} to {@code to} atomically; false if it was not {@code
   * from}. The fast path's nodes change status this way only (see {@link FastSlots}), outside any
   * lock.
   */
  final boolean casStatus(int from, int to) {
    int s = state;
    return (s & STATUS) == from && STATE.compareAndSet(this, s, (s & ~STATUS) | to);
  }

  /** Changes the status; caller holds the segment lock. */
  final void status(int status) {
    STATE.setRelease(this, ((int) STATE.get(this) & ~STATUS) | status);
  }

  /** The key's table hash ({@link LockEngine#spread}), as computed when it was acquired. */
  final int hash() {
    return (int) STATE.get(this) >>> HASH_SHIFT;
  }

  /** The key's slot index: the low bits of its table hash, which also choose its stripe. */
  final int slot() {
    return hash() & FastSlots.MASK;
  }

  final LockEngine engine() {
    return entry.engine;
  }

  @Override
  public final Object key() {
    return key;
  }

  @Override
  public final LockMode mode() {
    return (state & SHARED) != 0 ? LockMode.SHARED : LockMode.EXCLUSIVE;
  }

  @Override
  public final boolean isHeld() {
    return status() == HELD;
  }

  @Override
  public final LockHandle downgrade() {
    return entry.engine.downgrade(this);
  }

  @Override
  public final void close() {
    entry.engine.release(this);
  }

  final String describeOwner() {
    return LockEngine.describe(owner);
  }

  @Override
  public final String toString() {
    String s =
        switch (status()) {
          case WAITING -> "waiting";
          case HELD -> "held";
          case RELEASED -> "released";
          default -> "cancelled";
        };
    return "LockHandle[" + entry.engine.name + ", key=" + key + ", " + mode() + ", " + s + "]";
  }
}
