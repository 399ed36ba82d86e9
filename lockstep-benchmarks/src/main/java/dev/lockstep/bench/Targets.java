package dev.lockstep.bench;

import java.util.Map;

/**
 * The targets of issue 9 §5 (locks, rwlock, startup), issue 10 §6 (docs) and issue 11 §5 (fsm):
 * ratios in one run, higher is better for Lockstep, and absolute floors.
 */
final class Targets {
  private Targets() {}

  /** A ratio target: {@code kind} is "required" or "aim" (a stretch goal). */
  record Target(double value, String kind) {}

  /**
   * The peer name of a comparison across scenarios: Lockstep's {@code update-8t} against {@code
   * fsync-rename}'s {@code update-1t}.
   */
  static final String CROSS_FSYNC_RENAME_1T = "fsync-rename@update-1t";

  private static final Map<String, Target> RATIOS =
      Map.ofEntries(
          Map.entry("locks/uncontended/guava-striped-lazyweak", new Target(1.5, "required")),
          Map.entry("locks/uncontended/chm-reentrantlock", new Target(1.0, "aim")),
          Map.entry("locks/keys-1000-2t/guava-striped-lazyweak", new Target(2.0, "required")),
          // The same keys-1000 target measured in adjacent slices of one JVM (LocksPaired): this
          // VM's cross-core line transfers change speed by 2-3x for seconds at a time, so the JMH
          // row's ratio, between forks a minute apart, moves with them.
          Map.entry(
              "locks/keys-1000-2t-paired/guava-striped-lazyweak", new Target(2.0, "required")),
          Map.entry("locks/hot-key-2t/guava-striped-lazyweak", new Target(1.0, "required")),
          Map.entry("locks/vthreads-100000/guava-striped-lazyweak", new Target(1.0, "required")),
          Map.entry("rwlock/uncontended-read/rrwl-fair", new Target(0.9, "required")),
          Map.entry("rwlock/rw-90-10-2t/rrwl-fair", new Target(5.0, "required")),
          Map.entry("rwlock/rw-90-10-2t/rrwl-nonfair", new Target(0.5, "required")),
          // The same three for the scoped API (ReadWriteLock.read/write(timeout, body)).
          Map.entry(
              "rwlock/uncontended-read/rrwl-fair (lockstep-scoped)", new Target(0.9, "required")),
          Map.entry("rwlock/rw-90-10-2t/rrwl-fair (lockstep-scoped)", new Target(5.0, "required")),
          Map.entry(
              "rwlock/rw-90-10-2t/rrwl-nonfair (lockstep-scoped)", new Target(0.5, "required")),
          // Start-up: lockstep's median <= 2x a Python filelock one-shot.
          Map.entry("startup/one-shot/python-filelock", new Target(0.5, "required")),
          // Docs: 100 sequential durable updates within 1.5x the time of 100 fsync-renames.
          Map.entry("docs/update-1t/fsync-rename", new Target(1 / 1.5, "required")),
          // Docs: 8 updaters with group commit >= 5x the single-writer fsync-rename rate.
          Map.entry("docs/update-8t/" + CROSS_FSYNC_RENAME_1T, new Target(5.0, "required")),
          // The same two docs targets measured in adjacent 1 s slices of one JVM (DocsPaired):
          // the disk's speed moves by 2x over tens of seconds, so the JMH rows' ratio, between
          // forks a minute or more apart, moves with it.
          Map.entry("docs/update-1t-paired/fsync-rename", new Target(1 / 1.5, "required")),
          Map.entry("docs/update-8t-paired/fsync-rename", new Target(5.0, "required")),
          // FSM: 8 threads, synchronous=FULL, >= 12x the seeds' design.
          Map.entry("fsm/sqlite-8t-full/seed-style", new Target(12.0, "required")),
          // FSM: in-memory transitions, attempt log included, >= 100x Spring Statemachine.
          Map.entry("fsm/memory-1t/spring", new Target(100.0, "required")));

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

  /** FSM, 8 firing threads on SQLite with synchronous=FULL: durable transitions per second. */
  static final double FSM_SQLITE_FULL_MIN_OPS = 20_000;

  /** FSM, 8 firing threads on SQLite with synchronous=NORMAL: transitions per second. */
  static final double FSM_SQLITE_NORMAL_MIN_OPS = 40_000;

  /**
   * Issue 11 §5's anchor for "a plain group-commit writer (up to 64 transitions per transaction)"
   * with synchronous=FULL, transitions per second. Information beside {@code sqlite-8t-async}, not
   * a target: the targets are {@link #FSM_SQLITE_FULL_MIN_OPS} on {@code sqlite-8t}.
   */
  static final double FSM_GROUP_COMMIT_ANCHOR_FULL = 15_100;

  /** As {@link #FSM_GROUP_COMMIT_ANCHOR_FULL}, with synchronous=NORMAL. */
  static final double FSM_GROUP_COMMIT_ANCHOR_NORMAL = 31_700;

  /** The group-commit anchor for {@code synchronous} "full" or "normal" (any case). */
  static double fsmGroupCommitAnchor(String synchronous) {
    return switch (synchronous.toLowerCase(java.util.Locale.ROOT)) {
      case "full" -> FSM_GROUP_COMMIT_ANCHOR_FULL;
      case "normal" -> FSM_GROUP_COMMIT_ANCHOR_NORMAL;
      default -> throw new IllegalArgumentException("synchronous " + synchronous);
    };
  }
}
