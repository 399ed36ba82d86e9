package dev.lockstep.lock;

/**
 * What a lock's recorder threw (see {@link LockRecorder} on a recorder that throws anyway), until
 * it is reported. A lock sets {@link #pending} in the catch around a recorder call by a field write
 * only: a call there could throw in turn (a {@code StackOverflowError}) after a state change that
 * must stand. The lock reports it on a later recording path, before it changes anything: the first
 * error of the lock is logged at WARN, later ones are dropped.
 */
final class RecorderErrors {
  /** The last error not reported yet, or null. */
  volatile Throwable pending;

  /** Whether an error of this lock has been logged already. */
  private boolean reported;

  /** Logs the first error of the lock, if one is pending; never throws. */
  void report(Object lock) {
    Throwable t = pending;
    if (t == null) {
      return;
    }
    pending = null;
    try {
      if (!reported) {
        reported = true;
        org.slf4j.LoggerFactory.getLogger(LockRecorder.class)
            .warn("the recorder of {} threw; ignored (recorders must not throw)", lock, t);
      }
    } catch (Throwable ignored) {
      // Even the report failed (no stack, no memory): the lock must not depend on it.
    }
  }
}
