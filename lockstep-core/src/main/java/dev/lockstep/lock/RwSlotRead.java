package dev.lockstep.lock;

/**
 * A read hold of a {@link SingleReadWriteLock} taken on its visible-reader path: the hold is an odd
 * stamp in one of the lock's reader slots, and {@link #stamp} is that stamp. Closing is the slot's
 * compare-and-set from {@link #stamp} to {@code stamp + 1}, which makes close exactly once: a
 * second close, from any thread, finds the slot holding another value (even, or another hold's
 * stamp: stamps only grow) and does nothing. The status then moves HELD → RELEASED with a volatile
 * write, not a CAS.
 *
 * <p>Implementation notes: 40 bytes with compressed oops (the node's 32 and the stamp).
 */
final class RwSlotRead extends RwNode {
  /** The index of the slot in {@link SingleReadWriteLock}'s table. */
  final int slot;

  /** The odd value this hold wrote into its slot. */
  final long stamp;

  RwSlotRead(SingleReadWriteLock lock, Thread owner, int slot, long stamp) {
    super(lock, owner, true, HELD);
    this.slot = slot;
    this.stamp = stamp;
  }
}
