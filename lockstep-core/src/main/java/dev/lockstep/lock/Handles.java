package dev.lockstep.lock;

import java.util.Objects;

/** Checks of what callers pass to a lock besides keys: its handles and explicit owners. */
final class Handles {
  private Handles() {}

  static Node own(LockEngine engine, LockHandle handle) {
    Objects.requireNonNull(handle, "handle must not be null");
    if (handle instanceof Node n && n.engine() == engine) {
      return n;
    }
    throw new IllegalArgumentException(
        "handle " + handle + " was not issued by " + engine + "; release it through its own lock");
  }

  static LockOwner owner(LockOwner owner) {
    return Objects.requireNonNull(owner, "owner must not be null");
  }
}
