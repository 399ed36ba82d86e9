package dev.lockstep.lock;

import java.time.Duration;

/**
 * A wait or hold that lasted longer than the registry's threshold.
 *
 * @param kind {@code LONG_WAIT} or {@code LONG_HOLD}
 * @param lock the lock's name
 * @param key the key, as text
 * @param owner the waiting or holding owner
 * @param mode exclusive or shared
 * @param duration how long it had lasted when seen
 * @param threshold the threshold it crossed
 */
public record WatchdogAlert(
    Kind kind,
    String lock,
    String key,
    String owner,
    LockMode mode,
    Duration duration,
    Duration threshold) {

  /** What crossed a threshold. */
  public enum Kind {
    /** A waiter has waited longer than the long-wait threshold: a potential deadlock. */
    LONG_WAIT,
    /** A holder has held longer than the long-hold threshold. */
    LONG_HOLD
  }

  /** A one-line description for logs. */
  public String message() {
    return (kind == Kind.LONG_WAIT ? "potential deadlock: " : "long hold: ")
        + owner
        + (kind == Kind.LONG_WAIT ? " has waited " : " has held ")
        + duration.toMillis()
        + " ms (threshold "
        + threshold.toMillis()
        + " ms) for key '"
        + key
        + "' of lock '"
        + lock
        + "' ("
        + mode
        + ")";
  }
}
