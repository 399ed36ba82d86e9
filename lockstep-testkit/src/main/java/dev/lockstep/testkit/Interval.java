package dev.lockstep.testkit;

import dev.lockstep.lock.LockMode;
import java.util.Objects;

/**
 * One recorded stay inside a critical section: which key, in which mode, by which thread, from
 * which point of the recorder's global sequence to which.
 *
 * <p>{@code enter} and {@code exit} are positions on one strictly increasing sequence shared by all
 * threads of an {@link IntervalRecorder}, not clock readings: two intervals overlap exactly when
 * each began before the other ended, with no clock resolution or skew involved.
 *
 * @param key the key the section was for
 * @param mode {@link LockMode#EXCLUSIVE} for an exclusive (write) section, {@link LockMode#SHARED}
 *     for a read section
 * @param enter the sequence number taken on entry (after the lock was granted)
 * @param exit the sequence number taken on exit (before the lock was released); greater than {@code
 *     enter}
 * @param thread the name of the thread that recorded it, for messages
 */
public record Interval(Object key, LockMode mode, long enter, long exit, String thread) {

  /** Validates the interval. */
  public Interval {
    Objects.requireNonNull(key, "key must not be null");
    Objects.requireNonNull(mode, "mode must not be null");
    Objects.requireNonNull(thread, "thread must not be null");
    if (exit <= enter) {
      throw new IllegalArgumentException("exit " + exit + " must be after enter " + enter);
    }
  }

  /** Whether the two intervals were open at the same time (whatever their keys). */
  public boolean overlaps(Interval other) {
    return enter < other.exit && other.enter < exit;
  }

  @Override
  public String toString() {
    return mode + " '" + key + "' [" + enter + ", " + exit + "] by " + thread;
  }
}
