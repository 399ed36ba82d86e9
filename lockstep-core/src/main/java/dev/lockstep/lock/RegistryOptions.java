package dev.lockstep.lock;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link LockRegistry} records and watches its locks. Validated when built; errors name the
 * property.
 *
 * @param statistics whether locks record counters, histograms and recent operations; when false
 *     they use the no-op recorder and pay nothing (deadlock detection stays on)
 * @param recentOperations how many recent operations each lock keeps in its ring buffer, from 1 to
 *     {@link #MAX_RECENT_OPERATIONS} (the buffer is allocated in full when the lock is created)
 * @param longWait waits longer than this are reported by the watchdog (positive; a duration too
 *     long for a {@code long} of nanoseconds, about 292 years, means never)
 * @param longHold holds longer than this are reported by the watchdog (and as JFR events); as
 *     {@code longWait}
 * @param watchdogInterval how often the watchdog looks; {@link Duration#ZERO} turns it off
 * @param listener receives each watchdog alert once, on the watchdog's thread
 */
public record RegistryOptions(
    boolean statistics,
    int recentOperations,
    Duration longWait,
    Duration longHold,
    Duration watchdogInterval,
    WatchdogListener listener) {

  /** The most recent operations a lock may keep: {@value}. */
  public static final int MAX_RECENT_OPERATIONS = 1 << 20;

  /** Statistics on, 256 recent operations, waits over 30 s and holds over 60 s reported. */
  public static final RegistryOptions DEFAULTS =
      new RegistryOptions(
          true,
          256,
          Duration.ofSeconds(30),
          Duration.ofSeconds(60),
          Duration.ofSeconds(1),
          WatchdogListener.LOGGING);

  /** Validates the options. */
  public RegistryOptions {
    Objects.requireNonNull(longWait, "longWait must not be null");
    Objects.requireNonNull(longHold, "longHold must not be null");
    Objects.requireNonNull(watchdogInterval, "watchdogInterval must not be null");
    Objects.requireNonNull(listener, "listener must not be null");
    if (recentOperations < 1 || recentOperations > MAX_RECENT_OPERATIONS) {
      throw new IllegalArgumentException(
          "recentOperations must be from 1 to "
              + MAX_RECENT_OPERATIONS
              + ", was "
              + recentOperations);
    }
    if (longWait.isNegative() || longWait.isZero()) {
      throw new IllegalArgumentException("longWait must be positive, was " + longWait);
    }
    if (longHold.isNegative() || longHold.isZero()) {
      throw new IllegalArgumentException("longHold must be positive, was " + longHold);
    }
    if (watchdogInterval.isNegative()) {
      throw new IllegalArgumentException(
          "watchdogInterval must not be negative, was " + watchdogInterval);
    }
  }

  /** A copy with statistics on or off. */
  public RegistryOptions withStatistics(boolean statistics) {
    return new RegistryOptions(
        statistics, recentOperations, longWait, longHold, watchdogInterval, listener);
  }

  /** A copy with other watchdog thresholds. */
  public RegistryOptions withThresholds(Duration longWait, Duration longHold) {
    return new RegistryOptions(
        statistics, recentOperations, longWait, longHold, watchdogInterval, listener);
  }

  /** A copy with another watchdog interval ({@link Duration#ZERO}: no watchdog). */
  public RegistryOptions withWatchdogInterval(Duration watchdogInterval) {
    return new RegistryOptions(
        statistics, recentOperations, longWait, longHold, watchdogInterval, listener);
  }

  /** A copy with another watchdog listener. */
  public RegistryOptions withListener(WatchdogListener listener) {
    return new RegistryOptions(
        statistics, recentOperations, longWait, longHold, watchdogInterval, listener);
  }

  /** A copy keeping another number of recent operations per lock. */
  public RegistryOptions withRecentOperations(int recentOperations) {
    return new RegistryOptions(
        statistics, recentOperations, longWait, longHold, watchdogInterval, listener);
  }
}
