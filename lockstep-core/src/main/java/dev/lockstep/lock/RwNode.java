package dev.lockstep.lock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One acquisition of a {@link SingleReadWriteLock}: a waiter while queued, then the {@link
 * LockHandle} of the hold. Status moves WAITING → HELD → RELEASED, or WAITING → CANCELLED. WAITING
 * → HELD and WAITING → CANCELLED happen under the lock's queue lock; HELD → RELEASED is a CAS (by
 * {@link #close()} or {@link #downgrade()}, from any thread), which is what makes close exactly
 * once; for a read held in a reader slot ({@link RwSlotRead}) the slot's CAS decides and HELD →
 * RELEASED is a volatile write after it.
 *
 * <p>Implementation notes: an uncontended hold of a lock without statistics allocates only this
 * object (four references and an int: 32 bytes with compressed oops); the fields of a wait live in
 * the {@link RwWaiter} subclass.
 */
sealed class RwNode implements LockHandle permits RwWaiter, RwSlotRead {
  static final int WAITING = 0;
  static final int HELD = 1;
  static final int RELEASED = 2;
  static final int CANCELLED = 3;
  private static final int STATUS = 3;
  private static final int SHARED = 4;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(RwNode.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final SingleReadWriteLock lock;

  /** The owning {@link Thread}, or a {@link LockOwner} for asynchronous acquisitions. */
  final Object owner;

  /** Status in the low two bits, {@link #SHARED} for a read hold. */
  private volatile int state;

  /**
   * The previous stray read hold of this lock (see {@link ReadOwners#trackStray}); touched only
   * under the queue lock.
   */
  RwNode prevOwned;

  /**
   * The owner thread's read-hold counter, for a read hold made by its owner thread (see {@link
   * ReadOwners}); set by that thread before the handle is returned, null otherwise.
   */
  ReadOwners.Chain chain;

  RwNode(SingleReadWriteLock lock, Object owner, boolean shared, int status) {
    this.lock = lock;
    this.owner = owner;
    STATE.set(this, (shared ? SHARED : 0) | status); // published with the handle or the grant
  }

  final int status() {
    return state & STATUS;
  }

  final boolean shared() {
    return (state & SHARED) != 0;
  }

  /**
   * Changes the status of a waiting node; caller holds the queue lock. A volatile write: the
   * granter reads {@link RwWaiter#parked} after it.
   */
  final void status(int status) {
    STATE.setVolatile(this, ((int) STATE.get(this) & SHARED) | status);
  }

  /**
   * HELD → RELEASED for a read hold whose release was already decided once by another atomic
   * ({@link RwSlotRead}'s slot), by a write of the field, which calls nothing: the VarHandle calls
   * of a release store go deeper than the slot's CAS when interpreted, so a {@code
   * StackOverflowError} could fall between the two and leave the handle HELD with its slot
   * released, and a second close then waited for good for the first to mark it ({@code
   * InterpretedScanTest}, single). A volatile write where a release store would do.
   */
  final void released() {
    state = SHARED | RELEASED;
  }

  /** HELD → RELEASED; true for exactly one caller. */
  final boolean leave() {
    int mode = state & SHARED;
    return STATE.compareAndSet(this, mode | HELD, mode | RELEASED);
  }

  @Override
  public final Object key() {
    return SingleReadWriteLock.RESOURCE;
  }

  @Override
  public final LockMode mode() {
    return shared() ? LockMode.SHARED : LockMode.EXCLUSIVE;
  }

  @Override
  public final boolean isHeld() {
    return status() == HELD;
  }

  @Override
  public final LockHandle downgrade() {
    return lock.downgrade(this);
  }

  @Override
  public final void close() {
    lock.release(this);
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
    return "LockHandle[" + lock.name() + ", key=resource, " + mode() + ", " + s + "]";
  }
}
