package dev.lockstep.lock;

/**
 * A reader asked for the write lock of a key it reads. Upgrades are refused because two readers
 * upgrading at once would wait for each other forever; release the read hold and acquire the write
 * lock (then re-check what was read), or take the write lock first and {@linkplain
 * LockHandle#downgrade() downgrade}.
 */
public final class LockUpgradeException extends LockException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param lockName the lock's name
   * @param key the key (or the resource's name) whose read lock the caller holds
   */
  public LockUpgradeException(String lockName, Object key) {
    super(
        "lock '"
            + lockName
            + "': the current thread holds the read lock of key '"
            + key
            + "' and asked for its write lock; read-to-write upgrade is not supported"
            + " (release the read hold first, or write then downgrade)");
  }
}
