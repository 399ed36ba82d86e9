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
 *
 * <h2>A recorder that throws anyway</h2>
 *
 * A lock calls its recorder after the state change it reports: {@link #acquired} once the hold is
 * taken, {@link #released} once the hold is given back (before whoever that grants is woken). If a
 * recorder throws (any {@link Throwable}, a {@code StackOverflowError} inside it included), the
 * lock catches it, logs the first such error of each lock at WARN through SLF4J (logger {@code
 * dev.lockstep.lock.LockRecorder}; on the lock's next recorded acquire, as the catch itself calls
 * nothing) and ignores the rest: the state change stands, and the wake-up it owes still happens. So
 * an acquire whose {@code acquired} call throws still returns its handle (or completes its future),
 * and the caller closes it as usual; a {@code close()} whose {@code released} call throws has
 * released and returns normally; a timeout, cancellation or refusal reports the lock's own
 * exception. Only the statistics miss the event.
 *
 * <p>Why not fail the acquire and give the hold back: the give-back is a release, which needs the
 * stack and memory whose lack may be what made the recorder throw, so it could fail in turn and
 * leave the lock held by nobody; a hold that stands needs nothing more. And statistics are a view
 * of the lock, so a bug in them should not change who holds it.
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

  /**
   * A new key was refused by the {@code maxActiveKeys} limit. (A try that finds the key busy is not
   * reported: it failed nothing; an acquire with a zero timeout that finds it busy is a {@link
   * #timedOut}.)
   */
  default void rejected(String lock, Object key, String reason) {}

  /** A wait was abandoned: its thread was interrupted or its future cancelled. */
  default void cancelled(String lock, Object key, long waitNanos) {}

  /** An acquisition failed with an error: a detected deadlock or a refused upgrade. */
  default void error(String lock, Object key, LockException error) {}
}
