package dev.lockstep.bench;

import java.util.Map;

/** The targets of issue 9, section 5 (ratios in one run, higher is better for Lockstep). */
final class Targets {
  private Targets() {}

  /** A ratio target: {@code kind} is "required" or "aim" (a stretch goal). */
  record Target(double value, String kind) {}

  private static final Map<String, Target> RATIOS =
      Map.ofEntries(
          Map.entry("locks/uncontended/guava-striped-lazyweak", new Target(1.5, "required")),
          Map.entry("locks/uncontended/chm-reentrantlock", new Target(1.0, "aim")),
          Map.entry("locks/keys-1000-2t/guava-striped-lazyweak", new Target(2.0, "required")),
          Map.entry("locks/hot-key-2t/guava-striped-lazyweak", new Target(1.0, "required")),
          Map.entry("locks/vthreads-100000/guava-striped-lazyweak", new Target(1.0, "required")),
          Map.entry("rwlock/uncontended-read/rrwl-fair", new Target(0.9, "required")),
          Map.entry("rwlock/rw-90-10-2t/rrwl-fair", new Target(5.0, "required")),
          Map.entry("rwlock/rw-90-10-2t/rrwl-nonfair", new Target(0.5, "required")),
          // Start-up: lockstep's median <= 2x a Python filelock one-shot.
          Map.entry("startup/one-shot/python-filelock", new Target(0.5, "required")));

  /** The target for Lockstep against {@code peer} in a scenario, or null if the issue sets none. */
  static Target ratio(String suite, String scenario, String peer) {
    return RATIOS.get(suite + "/" + scenario + "/" + peer);
  }

  /** Allocation per uncontended acquire+release: required <= 32 bytes, aiming at 0. */
  static final double ALLOC_UNCONTENDED_MAX = 32;

  /** Heap per held key with 1,000,000 keys held. */
  static final double BYTES_PER_HELD_KEY_MAX = 120;

  /** Heap retained by the lock after every key was released. */
  static final double RETAINED_AFTER_RELEASE_MAX = 1 << 20;
}
