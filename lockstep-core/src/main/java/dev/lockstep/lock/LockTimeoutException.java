package dev.lockstep.lock;

import java.time.Duration;

/**
 * The wait for a key ran out before the lock could be granted. Nothing is held when this is thrown;
 * the holder (named in the message when known) was not disturbed.
 */
public final class LockTimeoutException extends LockException {

  private static final long serialVersionUID = 1L;

  /** The key whose wait timed out. */
  private final transient Object key;

  /** The timeout that ran out. */
  private final Duration timeout;

  /** A description of the holder at the time of the timeout, or {@code null} if unknown. */
  private final String holder;

  /**
   * Creates the exception.
   *
   * @param lockName the lock's name
   * @param key the key waited for
   * @param timeout the timeout that ran out
   * @param holder a description of the holder, or {@code null} if unknown
   */
  public LockTimeoutException(String lockName, Object key, Duration timeout, String holder) {
    super(
        "timed out after "
            + timeout
            + " waiting for key '"
            + key
            + "' of lock '"
            + lockName
            + "'"
            + (holder == null ? "" : "; held by " + holder));
    this.key = key;
    this.timeout = timeout;
    this.holder = holder;
  }

  /** The key whose wait timed out. */
  public Object key() {
    return key;
  }

  /** The timeout that ran out. */
  public Duration timeout() {
    return timeout;
  }

  /** A description of the holder at the time of the timeout, or {@code null} if unknown. */
  public String holder() {
    return holder;
  }
}
