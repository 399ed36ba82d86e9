package dev.lockstep.lock;

/**
 * The handle of a blocking or try acquisition of a {@link KeyedLock} ({@link ExclusiveKeyedLock}):
 * a stamped hold of a fast slot (see {@link FastSlots}), named by its {@link FastSlots.Cell} and
 * stamp, or any other hold, named by its {@link Node}.
 *
 * <p>Implementation notes: the acquire makes this object before it takes the key, and sets {@link
 * #where} and {@link #stamp} with plain stores after its fast and slow ways merge. One allocation,
 * referenced by nothing in the heap, is what C2's escape analysis removes when the acquire and the
 * close are inlined into the caller: an uncontended cycle then allocates nothing. So nothing may
 * keep a reference to it (the close passes its fields to the slow way, never the handle).
 */
final class Hold implements LockHandle {
  /** A {@link FastSlots.Cell} for a stamped hold, else the hold's {@link Node}. */
  Object where;

  /** The stamp of a stamped hold (see {@link FastSlots}); 0 for a node. */
  long stamp;

  private final Object key;

  Hold(Object where, Object key) {
    this.where = where;
    this.key = key;
  }

  @Override
  public Object key() {
    return key;
  }

  @Override
  public LockMode mode() {
    return LockMode.EXCLUSIVE;
  }

  @Override
  public boolean isHeld() {
    Object w = where;
    return w instanceof FastSlots.Cell c ? FastSlots.held(c, stamp) : ((Node) w).isHeld();
  }

  @Override
  public LockHandle downgrade() {
    throw new IllegalStateException("only a write hold of a read-write lock can be downgraded");
  }

  @Override
  public void close() {
    Object w = where;
    if (w instanceof FastSlots.Cell c) {
      long s = stamp;
      if (!FastSlots.STATE.compareAndSet(c, s, (s & ~FastSlots.MODE) + FastSlots.STEP)) {
        c.engine.slots.slowClose(c, s);
      }
      return;
    }
    ((Node) w).close();
  }

  /** The engine that issued this hold. */
  LockEngine engine() {
    Object w = where;
    return w instanceof FastSlots.Cell c ? c.engine : ((Node) w).engine();
  }

  @Override
  public String toString() {
    return "LockHandle["
        + engine().name
        + ", key="
        + key
        + ", "
        + LockMode.EXCLUSIVE
        + ", "
        + (isHeld() ? "held" : "released")
        + "]";
  }
}
