package dev.lockstep.doc;

import dev.lockstep.file.Durability;
import dev.lockstep.file.FileLockMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link DocumentStore} locks, retries, backs up and logs. Immutable; start from {@link
 * #defaults()} and change what you need with the {@code with…} methods, each of which checks its
 * argument and names it in the error (durations: from zero to {@code Long.MAX_VALUE} nanoseconds,
 * about 292 years).
 *
 * <p>Retries: a lock attempt waits up to {@link #lockTimeout()}; when it times out the store sleeps
 * {@link #initialBackoff()} (doubled after every further timeout, capped at {@link #maxBackoff()},
 * with up to 50% random jitter) and tries again, at most {@link #retries()} more times and never
 * past {@link #retryDeadline()} from the start of the call. The last timeout is thrown.
 *
 * @param lockTimeout how long one lock attempt waits (default 10 s)
 * @param retries how many more attempts after the first timeout (default 3)
 * @param initialBackoff the sleep after the first timeout (default 500 ms, as the seed had)
 * @param maxBackoff the longest sleep between attempts (default 5 s)
 * @param retryDeadline the longest a call waits for the lock in all (default 2 min)
 * @param backups how many previous versions to keep as {@code NAME.backup.1..N} (default 3; 0 keeps
 *     none)
 * @param changeLog where the change log lives; empty for {@code NAME.changes.jsonl} beside the
 *     document
 * @param owner the owner tag written on every log line (default empty)
 * @param durability {@link Durability#FULL} (default) fsyncs the document, its directory and the
 *     log; {@link Durability#NONE} skips every fsync (tests, scratch data)
 * @param lockMode the kind of lock taken on {@code NAME.lock}: {@link FileLockMode#FLOCK} (default;
 *     what Python's filelock takes) or {@link FileLockMode#POSIX}
 * @param groupCommit whether concurrent updates in this JVM share one write and one fsync (default
 *     {@code true})
 */
public record DocumentOptions(
    Duration lockTimeout,
    int retries,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration retryDeadline,
    int backups,
    Optional<Path> changeLog,
    String owner,
    Durability durability,
    FileLockMode lockMode,
    boolean groupCommit) {

  /** Checks every component; the message names the one at fault. */
  public DocumentOptions {
    nonNegative("lockTimeout", lockTimeout);
    nonNegative("initialBackoff", initialBackoff);
    nonNegative("maxBackoff", maxBackoff);
    nonNegative("retryDeadline", retryDeadline);
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be >= 0: " + retries);
    }
    if (backups < 0 || backups > 100) {
      throw new IllegalArgumentException("backups must be between 0 and 100: " + backups);
    }
    Objects.requireNonNull(changeLog, "changeLog must not be null (use Optional.empty())");
    Objects.requireNonNull(owner, "owner must not be null");
    if (owner.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("owner must be one line: " + owner);
    }
    Objects.requireNonNull(durability, "durability must not be null");
    Objects.requireNonNull(lockMode, "lockMode must not be null");
  }

  /** The defaults described on each component. */
  public static DocumentOptions defaults() {
    return new DocumentOptions(
        Duration.ofSeconds(10),
        3,
        Duration.ofMillis(500),
        Duration.ofSeconds(5),
        Duration.ofMinutes(2),
        3,
        Optional.empty(),
        "",
        Durability.FULL,
        FileLockMode.FLOCK,
        true);
  }

  /** A copy with another lock timeout per attempt. */
  public DocumentOptions withLockTimeout(Duration value) {
    return new DocumentOptions(
        value,
        retries,
        initialBackoff,
        maxBackoff,
        retryDeadline,
        backups,
        changeLog,
        owner,
        durability,
        lockMode,
        groupCommit);
  }

  /** A copy with another retry policy: {@code retries} more attempts, backoff and deadline. */
  public DocumentOptions withRetries(
      int retries, Duration initialBackoff, Duration maxBackoff, Duration retryDeadline) {
    return new DocumentOptions(
        lockTimeout,
        retries,
        initialBackoff,
        maxBackoff,
        retryDeadline,
        backups,
        changeLog,
        owner,
        durability,
        lockMode,
        groupCommit);
  }

  /** A copy keeping {@code value} backups. */
  public DocumentOptions withBackups(int value) {
    return new DocumentOptions(
        lockTimeout,
        retries,
        initialBackoff,
        maxBackoff,
        retryDeadline,
        value,
        changeLog,
        owner,
        durability,
        lockMode,
        groupCommit);
  }

  /** A copy logging to {@code value} instead of {@code NAME.changes.jsonl} beside the document. */
  public DocumentOptions withChangeLog(Path value) {
    Objects.requireNonNull(value, "changeLog must not be null");
    return new DocumentOptions(
        lockTimeout,
        retries,
        initialBackoff,
        maxBackoff,
        retryDeadline,
        backups,
        Optional.of(value),
        owner,
        durability,
        lockMode,
        groupCommit);
  }

  /** A copy writing {@code value} as the owner tag of every log line. */
  public DocumentOptions withOwner(String value) {
    return new DocumentOptions(
        lockTimeout,
        retries,
        initialBackoff,
        maxBackoff,
        retryDeadline,
        backups,
        changeLog,
        value,
        durability,
        lockMode,
        groupCommit);
  }

  /** A copy with another durability. */
  public DocumentOptions withDurability(Durability value) {
    return new DocumentOptions(
        lockTimeout,
        retries,
        initialBackoff,
        maxBackoff,
        retryDeadline,
        backups,
        changeLog,
        owner,
        value,
        lockMode,
        groupCommit);
  }

  /** A copy taking another kind of lock on {@code NAME.lock}. */
  public DocumentOptions withLockMode(FileLockMode value) {
    return new DocumentOptions(
        lockTimeout,
        retries,
        initialBackoff,
        maxBackoff,
        retryDeadline,
        backups,
        changeLog,
        owner,
        durability,
        value,
        groupCommit);
  }

  /** A copy with group commit on or off. */
  public DocumentOptions withGroupCommit(boolean value) {
    return new DocumentOptions(
        lockTimeout,
        retries,
        initialBackoff,
        maxBackoff,
        retryDeadline,
        backups,
        changeLog,
        owner,
        durability,
        lockMode,
        value);
  }

  /** The longest duration a store can count in nanoseconds (about 292 years). */
  private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);

  private static void nonNegative(String name, Duration d) {
    Objects.requireNonNull(d, name + " must not be null");
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + d);
    }
    if (d.compareTo(LONGEST) > 0) {
      throw new IllegalArgumentException(name + " must be at most " + LONGEST + ": " + d);
    }
  }
}
