package dev.lockstep.lock;

import java.util.Objects;

/**
 * Who holds or waits, for non-reentrancy checks, deadlock detection and diagnostics.
 *
 * <p>A blocking acquisition is always owned by the calling thread. An asynchronous acquisition
 * holds no thread, so by default it gets an owner of its own (described after the thread that
 * asked): it never counts as the caller's thread, and waiting asynchronously for a key one holds is
 * legitimate (the wait ends when the hold is released). Asynchronous tasks that want their holds
 * and waits to form one identity — so that a cycle among tasks is detected, and a task asking again
 * for a key it holds fails fast — pass the same {@code LockOwner} to every {@code acquireAsync}.
 *
 * <p>Owners are compared by identity.
 */
public final class LockOwner {
  private final String description;

  private LockOwner(String description) {
    this.description = description;
  }

  /** An owner with the given description (shown in deadlock and timeout messages and snapshots). */
  public static LockOwner named(String description) {
    Objects.requireNonNull(description, "description must not be null");
    return new LockOwner(description);
  }

  static LockOwner asyncOf(Thread caller) {
    return new LockOwner("async task of " + LockEngine.describe(caller));
  }

  @Override
  public String toString() {
    return description;
  }
}
