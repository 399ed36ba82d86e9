package dev.lockstep.lock;

import java.util.List;

/**
 * Waiting would never end: the caller already holds the key it asks for (locks are not reentrant),
 * or the wait would close a cycle of owners each waiting for a key the next one holds. Thrown
 * immediately instead of hanging; nothing new is held, and holds the caller had are kept.
 */
public final class DeadlockException extends LockException {

  private static final long serialVersionUID = 1L;

  private final String[] cycle;

  /**
   * Creates the exception (for Lockstep modules that wrap a lock and name their own resource).
   *
   * @param message what waits for what, naming owners, locks and keys
   * @param cycle one line per edge of the cycle
   */
  public DeadlockException(String message, List<String> cycle) {
    super(message);
    this.cycle = cycle.toArray(String[]::new);
  }

  /**
   * The cycle, one line per edge, each naming the waiting owner, the lock and key it waits for, and
   * the owner holding it; a self-deadlock has one edge.
   */
  public List<String> cycle() {
    return List.of(cycle);
  }
}
