package dev.lockstep.lock;

import java.util.Objects;

/**
 * How a lock is configured: its name (used in messages and statistics), its limit on active keys,
 * and its recorder. Validated when built; every error names the property.
 *
 * @param name the lock's name; shows in exception messages and snapshots
 * @param maxActiveKeys the most keys that may be active (held or waited for) at once; acquiring a
 *     new key beyond it fails with {@link CapacityExceededException}; {@link Integer#MAX_VALUE}
 *     means no limit
 * @param recorder receives statistics; {@link LockRecorder#noop()} for none
 */
public record LockOptions(String name, int maxActiveKeys, LockRecorder recorder) {

  /** The options of a lock created with no options. */
  public static final LockOptions DEFAULTS =
      new LockOptions("lock", Integer.MAX_VALUE, LockRecorder.noop());

  /** Validates the options. */
  public LockOptions {
    Objects.requireNonNull(name, "name must not be null");
    Objects.requireNonNull(recorder, "recorder must not be null");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    if (maxActiveKeys < 1) {
      throw new IllegalArgumentException("maxActiveKeys must be >= 1, was " + maxActiveKeys);
    }
  }

  /** Options with the given name and otherwise the defaults. */
  public static LockOptions named(String name) {
    return DEFAULTS.withName(name);
  }

  /** A copy with another name. */
  public LockOptions withName(String name) {
    return new LockOptions(name, maxActiveKeys, recorder);
  }

  /** A copy with another limit on active keys (at least 1). */
  public LockOptions withMaxActiveKeys(int maxActiveKeys) {
    return new LockOptions(name, maxActiveKeys, recorder);
  }

  /** A copy with another recorder. */
  public LockOptions withRecorder(LockRecorder recorder) {
    return new LockOptions(name, maxActiveKeys, recorder);
  }
}
