package dev.lockstep.lock;

/**
 * Why an acquisition failed. Every failure a caller may want to branch on is one of the permitted
 * subtypes; each message names the lock, the key and, where it applies, the limit or the holder.
 */
public abstract sealed class LockException extends RuntimeException
    permits LockTimeoutException,
        CapacityExceededException,
        DeadlockException,
        LockUpgradeException {

  private static final long serialVersionUID = 1L;

  LockException(String message) {
    super(message);
  }
}
