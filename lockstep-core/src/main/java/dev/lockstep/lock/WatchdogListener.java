package dev.lockstep.lock;

import org.slf4j.LoggerFactory;

/**
 * Receives the watchdog's reports of long waits and long holds ("potential deadlock" warnings).
 * Called on the watchdog's thread, once per wait or hold that crosses its threshold; must not block
 * for long (the watchdog looks again only when it returns). Whatever it throws, an {@code Error}
 * included, is logged at WARN (logger {@code dev.lockstep.lock.WatchedLockRegistry}) and the alert
 * counts as delivered: the watchdog goes on with the next one.
 */
@FunctionalInterface
public interface WatchdogListener {

  /** Logs each alert as a warning through SLF4J (logger {@code dev.lockstep.lock.watchdog}). */
  WatchdogListener LOGGING =
      alert -> LoggerFactory.getLogger("dev.lockstep.lock.watchdog").warn("{}", alert.message());

  /** Called once for each new alert. */
  void onAlert(WatchdogAlert alert);
}
