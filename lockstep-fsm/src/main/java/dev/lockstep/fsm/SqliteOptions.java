package dev.lockstep.fsm;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link FsmStore#sqlite(java.nio.file.Path, SqliteOptions)} runs SQLite. Immutable; build from
 * {@link #defaults()} with the {@code with…} methods.
 *
 * @param synchronous {@code FULL} (default): every acknowledged transition survives power loss;
 *     {@code NORMAL}: in WAL mode survives a process crash, may lose the last commits on power loss
 * @param busyTimeout how long a writer waits for another process's write lock before failing
 * @param groupCommit whether concurrent commits in this JVM share one SQLite transaction (each
 *     still exact, each answered only after COMMIT); off, each commit is its own transaction
 * @param maxBatch the most commits in one group transaction
 */
public record SqliteOptions(
    Synchronous synchronous, Duration busyTimeout, boolean groupCommit, int maxBatch) {

  /** SQLite's {@code PRAGMA synchronous} levels Lockstep offers. */
  public enum Synchronous {
    /** fsync the WAL at every commit. */
    FULL,
    /** fsync only at checkpoints. */
    NORMAL
  }

  /** Checks the fields. */
  public SqliteOptions {
    Objects.requireNonNull(synchronous, "synchronous");
    Objects.requireNonNull(busyTimeout, "busyTimeout");
    if (busyTimeout.isNegative() || busyTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("busyTimeout out of range: " + busyTimeout);
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
    }
  }

  /** Returns FULL, a 10 s busy timeout, group commit on, batches of at most 256. */
  public static SqliteOptions defaults() {
    return new SqliteOptions(Synchronous.FULL, Duration.ofSeconds(10), true, 256);
  }

  /** Returns a copy with {@code synchronous}. */
  public SqliteOptions withSynchronous(Synchronous synchronous) {
    return new SqliteOptions(synchronous, busyTimeout, groupCommit, maxBatch);
  }

  /** Returns a copy with {@code busyTimeout}. */
  public SqliteOptions withBusyTimeout(Duration busyTimeout) {
    return new SqliteOptions(synchronous, busyTimeout, groupCommit, maxBatch);
  }

  /** Returns a copy with group commit on or off. */
  public SqliteOptions withGroupCommit(boolean groupCommit) {
    return new SqliteOptions(synchronous, busyTimeout, groupCommit, maxBatch);
  }
}
