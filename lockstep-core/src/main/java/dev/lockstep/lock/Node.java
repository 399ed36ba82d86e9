package dev.lockstep.lock;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One acquisition: a waiter while queued, then the {@link LockHandle} of the hold. Status moves
 * WAITING → HELD → RELEASED, or WAITING → CANCELLED; every change happens under the entry's segment
 * lock, and {@link #status} is volatile so that a parked waiter sees its grant.
 */
final class Node implements LockHandle {
  static final int WAITING = 0;
  static final int HELD = 1;
  static final int RELEASED = 2;
  static final int CANCELLED = 3;

  final LockEngine engine;
  final Entry entry;

  /** The owning {@link Thread}, or a {@link LockOwner} for asynchronous acquisitions. */
  final Object owner;

  final LockMode mode;

  volatile int status;

  /** Queue or reader-list links; guarded by the segment lock. */
  Node next;

  Node prev;

  /** Chains nodes granted by one release, for waking after the segment lock is dropped. */
  Node wakeNext;

  /** The async waiter's future, or null for a blocking waiter. */
  WaitFuture future;

  /** The async waiter's timeout task, or null. */
  ScheduledFuture<?> timer;

  /** When the wait began (recording only). */
  long waitStart;

  /** When the hold began (recording only). */
  long holdStart;

  /** Whether this acquisition had to wait. */
  boolean contended;

  Node(LockEngine engine, Entry entry, Object owner, LockMode mode) {
    this.engine = engine;
    this.entry = entry;
    this.owner = owner;
    this.mode = mode;
  }

  @Override
  public Object key() {
    return entry.key;
  }

  @Override
  public LockMode mode() {
    return mode;
  }

  @Override
  public boolean isHeld() {
    return status == HELD;
  }

  @Override
  public LockHandle downgrade() {
    return engine.downgrade(this);
  }

  @Override
  public void close() {
    engine.release(this);
  }

  String describeOwner() {
    return LockEngine.describe(owner);
  }

  @Override
  public String toString() {
    String s =
        switch (status) {
          case WAITING -> "waiting";
          case HELD -> "held";
          case RELEASED -> "released";
          default -> "cancelled";
        };
    return "LockHandle[" + engine.name + ", key=" + entry.key + ", " + mode + ", " + s + "]";
  }

  /** The future of an asynchronous wait; cancelling it withdraws the wait. */
  static final class WaitFuture extends CompletableFuture<LockHandle> {
    private final Node node;

    WaitFuture(Node node) {
      this.node = node;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        node.engine.abandon(node, false);
      }
      return cancelled;
    }
  }
}
