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
 * <p>A <em>stamped</em> node is the handle of a hold taken by one CAS of a fast slot's state (see
 * {@link FastSlots}): it names only its {@link #cell} and {@link #stamp}, is never linked anywhere,
 * and its {@link #status} means nothing (its hold is the cell's state), nor do its {@link #hash},
 * {@link #slot} and {@link #owner} (null): every engine path that takes a handle checks {@link
 * #self} first. Every other node has {@link #self} pointing to itself.
 *
 * <p>Implementation notes: one class for every handle of an exclusive {@link KeyedLock} (stamped,
 * fast, chain and table holds alike), with a final {@link #close} that reads only fields of the
 * handle, is what lets C2's escape analysis remove a stamped node even where the same acquire call
 * also returns other nodes (two threads over 1,000 keys, where ~0.1 % of acquisitions queue): a
 * merge of a new object with other objects is scalar-replaced only when every use of the merge is a
 * field load, a null check or debug information (JDK 23+ "reduce allocation merges"). A virtual
 * dispatch on the handle (a class check) or passing it to a call is not. Hence {@link #self}: a
 * close passes {@code self}, a field, to the release, never {@code this}. Session 24 measured the
 * difference: with a separate stamped handle class, 32 bytes per acquisition and 1.6–1.7x lazyweak
 * in paired slices; with one class, 0 bytes (see {@code docs/benchmarks.md}).
 *
 * <p>The cost is size: 48 bytes with compressed oops (five references, an int, a long, and the cell
 * reference), against 32 before; a held key of the table costs ~113 bytes with its {@link Entry}.
 * The key's {@link Entry} is recycled by its stripe, so the fields a waiter needs live in the
 * {@link Waiter} subclass. The mode and the key's table hash (see {@link LockEngine}) are packed
 * into {@link #state}. A fast hold has its engine's sentinel {@link LockEngine#fastEntry} as {@link
 * #entry} for good; inflation records it in the key's table entry instead ({@link
 * Entry#chainTail}).
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

  /** This node, or null for a stamped node (see the class notes: a field, not {@code this}). */
  final Node self;

  /** A stamped node's fast slot; null for every other node. */
  final FastSlots.Cell cell;

  /**
   * A stamped node's stamp (its cell's state when it was taken), set once right after the take,
   * before any use; for a {@link FastSlots.Proxy}, the stamp of the hold it stands for.
   */
  long stamp;

  Node(Entry entry, Object owner, LockMode mode) {
    this.entry = entry;
    this.key = entry.key;
    this.owner = owner;
    this.self = this;
    this.cell = null;
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
    this.self = this;
    this.cell = null;
    STATE.set(this, (hash << HASH_SHIFT) | status);
    // state is written with a plain store: this fence gives a handle that reaches another thread
    // through a data race the same view of it that a final field would.
    VarHandle.releaseFence();
  }

  /**
   * A stamped node for a take of the FREE cell {@code cell} (its engine's fast entry is {@code
   * fastEntry}): made just before the take, so that nothing after a successful take allocates (an
   * {@code OutOfMemoryError} or a {@code StackOverflowError} there would lose the hold); the taker
   * sets {@link #stamp} with a plain store after the take. Nothing may keep a reference to it in
   * the heap, which is what lets escape analysis remove it once the acquire and the close are
   * inlined into the caller.
   */
  Node(Entry fastEntry, FastSlots.Cell cell, Object key) {
    this.entry = fastEntry;
    this.key = key;
    this.owner = null;
    this.self = null;
    this.cell = cell;
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
    return self == null ? FastSlots.held(cell, stamp) : status() == HELD;
  }

  @Override
  public final LockHandle downgrade() {
    return entry.engine.downgrade(this);
  }

  /**
   * Releases the hold: a stamped node by the CAS of its cell's state from its stamp to FREE with
   * the next count (or {@link FastSlots#slowClose} if the hold was converted or is in use), any
   * other through its engine. Reads only fields of this node (see the class notes).
   */
  @Override
  public final void close() {
    Node n = self;
    if (n != null) {
      n.entry.engine.release(n);
      return;
    }
    FastSlots.Cell c = cell;
    long s = stamp;
    if (!FastSlots.STATE.compareAndSet(c, s, (s & ~FastSlots.MODE) + FastSlots.STEP)) {
      c.engine.slots.slowClose(c, s);
    }
  }

  final String describeOwner() {
    return LockEngine.describe(owner);
  }

  @Override
  public final String toString() {
    String s =
        switch (self == null ? (isHeld() ? HELD : RELEASED) : status()) {
          case WAITING -> "waiting";
          case HELD -> "held";
          case RELEASED -> "released";
          default -> "cancelled";
        };
    return "LockHandle[" + entry.engine.name + ", key=" + key + ", " + mode() + ", " + s + "]";
  }
}
