package dev.lockstep.lock;

/**
 * Acquiring a new key would exceed the lock's {@code maxActiveKeys}. Thrown at once, without
 * waiting; keys that are already active (held or waited for) are never refused by the limit.
 */
public final class CapacityExceededException extends LockException {

  private static final long serialVersionUID = 1L;

  private final int limit;
  private final int active;

  /**
   * Creates the exception.
   *
   * @param lockName the lock's name
   * @param key the refused key
   * @param limit the configured limit
   * @param active how many keys were active
   */
  public CapacityExceededException(String lockName, Object key, int limit, int active) {
    super(
        "lock '"
            + lockName
            + "' refused new key '"
            + key
            + "': "
            + active
            + " keys active, maxActiveKeys is "
            + limit);
    this.limit = limit;
    this.active = active;
  }

  /** The configured {@code maxActiveKeys}. */
  public int limit() {
    return limit;
  }

  /** How many keys were active when the key was refused. */
  public int active() {
    return active;
  }
}
