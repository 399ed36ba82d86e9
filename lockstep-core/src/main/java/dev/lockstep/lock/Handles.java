package dev.lockstep.lock;

import java.util.Objects;

/** Checks that a handle passed back to a lock was issued by it. */
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
}
