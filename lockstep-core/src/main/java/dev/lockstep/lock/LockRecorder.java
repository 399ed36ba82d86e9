package dev.lockstep.lock;

/**
 * Receives what a lock does, for statistics. The default, {@link #noop()}, records nothing and
 * costs nothing: a lock whose recorder is the no-op one does not even read the clock.
 *
 * <h2>Threading</h2>
 *
 * Methods are called by the acquiring and releasing threads (for asynchronous waits, by the thread
 * that completes the wait) without any lock of Lockstep's held; implementations must be thread-safe
 * and fast, and must not block or throw.
 */
public interface LockRecorder {

  /** The recorder that records nothing. */
  static LockRecorder noop() {
    return NoopLockRecorder.INSTANCE;
  }

  /** {@code false} only for recorders that ignore every call; locks then skip taking timestamps. */
  default boolean enabled() {
    return true;
  }

  /**
   * A hold was granted.
   *
   * @param lock the lock's name
   * @param key the key
   * @param mode exclusive or shared
   * @param waitNanos how long the acquirer waited (0 when granted at once)
   * @param contended whether the acquirer had to wait behind another holder
   */
  default void acquired(
      String lock, Object key, LockMode mode, long waitNanos, boolean contended) {}

  /**
   * A hold was released (or downgraded).
   *
   * @param lock the lock's name
   * @param key the key
   * @param holdNanos how long it was held
   */
  default void released(String lock, Object key, long holdNanos) {}

  /** A wait ran out of time. */
  default void timedOut(String lock, Object key, long waitNanos) {}

  /** A new key was refused by the {@code maxActiveKeys} limit, or a try found the key busy. */
  default void rejected(String lock, Object key, String reason) {}

  /** A wait was abandoned: its thread was interrupted or its future cancelled. */
  default void cancelled(String lock, Object key, long waitNanos) {}

  /** An acquisition failed with an error: a detected deadlock or a refused upgrade. */
  default void error(String lock, Object key, LockException error) {}
}
