package dev.lockstep.lock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One acquisition: a waiter while queued, then the {@link LockHandle} of the hold. Status moves
 * WAITING → HELD → RELEASED, or WAITING → CANCELLED; every change happens under the entry's segment
 * lock, and {@link #state} is volatile so that a parked waiter sees its grant.
 *
 * <p>Implementation notes: an uncontended hold of a lock without statistics allocates just this
 * object (four references and an int: 32 bytes with compressed oops; the key's {@link Entry} is
 * recycled by its stripe), so the fields a waiter needs live in the {@link Waiter} subclass. The
 * mode is packed into {@link #state}.
 */
sealed class Node implements LockHandle permits Waiter {
  static final int WAITING = 0;
  static final int HELD = 1;
  static final int RELEASED = 2;
  static final int CANCELLED = 3;
  private static final int STATUS = 3;
  private static final int SHARED = 4;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Node.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Entry entry;

  /** The key, kept here because a released node's entry may already serve another key. */
  final Object key;

  /** The owning {@link Thread}, or a {@link LockOwner} for asynchronous acquisitions. */
  final Object owner;

  /**
   * Status in the low two bits, {@link #SHARED} for a shared hold. Written only under the segment
   * lock, with release stores (a full volatile store would fence on every hold and release); read
   * as a volatile by waiters spinning or parked outside the lock.
   */
  private volatile int state;

  /** Next in the wait queue or the reader list; guarded by the segment lock. */
  Node next;

  Node(Entry entry, Object owner, LockMode mode) {
    this.entry = entry;
    this.key = entry.key;
    this.owner = owner;
    STATE.set(this, mode == LockMode.SHARED ? SHARED : 0); // published by the segment lock
  }

  final int status() {
    return state & STATUS;
  }

  /** Changes the status; caller holds the segment lock. */
  final void status(int status) {
    STATE.setRelease(this, ((int) STATE.get(this) & SHARED) | status);
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
