package dev.lockstep.lock;

/**
 * The handle of a stamped hold of a {@link KeyedLock} ({@link ExclusiveKeyedLock}): a hold taken by
 * a CAS of its fast slot's state (see {@link FastSlots}), named by its {@link FastSlots.Cell} and
 * stamp. Every other hold (a node-mode slot's, a hand-off chain's, the stripe table's) is its own
 * {@link Node}, with no wrapper, so a held key costs no more than before stamps.
 *
 * <p>Implementation notes: the acquire makes this object just before the take that may succeed (so
 * that nothing after a successful take allocates: an {@code OutOfMemoryError} or a {@code
 * StackOverflowError} there would lose the hold), and sets {@link #stamp} with a plain store after
 * it. It is referenced by nothing in the heap, which is what lets C2's escape analysis remove it
 * when the acquire and the close are inlined into the caller: an uncontended cycle then allocates
 * nothing. So nothing may keep a reference to it (the close passes its fields to the slow way,
 * never the handle). Only the branches that take a FREE slot make it, so a node-mode or table hold
 * never allocates one.
 */
final class Hold implements LockHandle {
  /** The hold's slot. */
  final FastSlots.Cell cell;

  /** The hold's stamp (see {@link FastSlots}); set once, right after the take, before any use. */
  long stamp;

  private final Object key;

  Hold(FastSlots.Cell cell, Object key) {
    this.cell = cell;
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
    return FastSlots.held(cell, stamp);
  }

  @Override
  public LockHandle downgrade() {
    throw new IllegalStateException("only a write hold of a read-write lock can be downgraded");
  }

  @Override
  public void close() {
    FastSlots.Cell c = cell;
    long s = stamp;
    if (!FastSlots.STATE.compareAndSet(c, s, (s & ~FastSlots.MODE) + FastSlots.STEP)) {
      c.engine.slots.slowClose(c, s);
    }
  }

  /** The engine that issued this hold. */
  LockEngine engine() {
    return cell.engine;
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
