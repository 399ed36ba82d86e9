package dev.lockstep.lock;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JDK Flight Recorder events of registry locks. When JFR is not recording them, emitting costs a
 * check of a flag the JIT folds away.
 */
final class LockEvents {
  private LockEvents() {}

  /** An acquisition that had to wait behind another holder. */
  @Name("dev.lockstep.ContendedAcquire")
  @Label("Contended Lock Acquire")
  @Category({"Lockstep", "Locks"})
  @Description("A Lockstep lock acquisition that waited behind another holder")
  @StackTrace(false)
  static final class ContendedAcquire extends Event {
    @Label("Lock")
    String lock;

    @Label("Key")
    String key;

    @Label("Mode")
    String mode;

    @Label("Wait")
    @Timespan(Timespan.NANOSECONDS)
    long waitNanos;
  }

  /** A hold that lasted longer than the registry's long-hold threshold. */
  @Name("dev.lockstep.LongHold")
  @Label("Long Lock Hold")
  @Category({"Lockstep", "Locks"})
  @Description("A Lockstep lock held longer than the registry's long-hold threshold")
  @StackTrace(false)
  static final class LongHold extends Event {
    @Label("Lock")
    String lock;

    @Label("Key")
    String key;

    @Label("Hold")
    @Timespan(Timespan.NANOSECONDS)
    long holdNanos;
  }

  static void contended(String lock, Object key, LockMode mode, long waitNanos) {
    ContendedAcquire e = new ContendedAcquire();
    if (e.isEnabled()) {
      e.lock = lock;
      e.key = WatchedLockRegistry.keyText(key);
      e.mode = mode.name();
      e.waitNanos = waitNanos;
      e.commit();
    }
  }

  static void longHold(String lock, Object key, long holdNanos) {
    LongHold e = new LongHold();
    if (e.isEnabled()) {
      e.lock = lock;
      e.key = WatchedLockRegistry.keyText(key);
      e.holdNanos = holdNanos;
      e.commit();
    }
  }
}
