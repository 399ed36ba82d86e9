package dev.lockstep.fsm;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where entities, the attempt log and the outbox live: the storage SPI under {@link FsmEngine}. The
 * engine runs the algorithm (read, decide, guard); a store only has to make {@link #commit} atomic
 * and conditional. Stores: {@link #inMemory()}, {@link #sqlite(Path)} (the embedded default), and
 * later PostgreSQL. Every store must pass the contract suite in {@code lockstep-testkit} ({@code
 * dev.lockstep.testkit.fsm.FsmStoreContract}).
 *
 * <h2>What a store guarantees</h2>
 *
 * <ul>
 *   <li>{@link #commit} is one atomic step: the conditional update {@code version = expected →
 *       expected + 1} of the entity, its attempt row, and its outbox rows all happen, or none does.
 *       If the entity's version is not the expected one, nothing changes except that a {@link
 *       Outcome#CONFLICT} attempt row is written. Exactly one of any number of concurrent commits
 *       against one version wins — across threads, and for shared stores across processes.
 *   <li>{@link #attempt} finds the row a commit or log wrote, so a caller whose commit threw can
 *       learn whether it committed. Attempt ids are 63-bit numbers chosen by the engine
 *       (time-ordered, a per-JVM counter in the low bits); stores must not reject a duplicate id
 *       (the engine checks the row it finds is its own).
 *   <li>{@link #history} returns an entity's attempts in the order the store recorded them.
 * </ul>
 *
 * <p>Not guaranteed: ordering of attempts across entities; that an outbox entry is handed to only
 * one dispatcher (dispatch is at least once).
 *
 * <h2>Threading</h2>
 *
 * <p>Thread-safe: every method may be called from any thread at once. Methods block on I/O. After
 * {@link #close()} every method throws {@link FsmStoreException}; close releases every thread and
 * connection the store started. All methods throw {@link FsmStoreException} when the storage fails.
 */
public interface FsmStore extends AutoCloseable {

  /**
   * Returns a new, empty store in this JVM's memory: lost when the JVM ends, shared by the engines
   * given it. Lean: no serialization, a short lock per entity. Keeps every attempt, so memory grows
   * with the log; see {@link #inMemory(int)} for long-running processes.
   */
  static FsmStore inMemory() {
    return new MemoryFsmStore(Integer.MAX_VALUE);
  }

  /**
   * Returns a new, empty in-memory store that keeps only the last {@code historyLimit} attempts of
   * each entity, so that a long-running process (a per-user guard in a server) does not grow
   * without bound. Transitions stay exact; {@link #history} and {@link #attempt} see only the kept
   * attempts, so a log-replaying checker does not apply to entities whose log was trimmed.
   *
   * @throws IllegalArgumentException when {@code historyLimit < 1}
   */
  static FsmStore inMemory(int historyLimit) {
    return new MemoryFsmStore(historyLimit);
  }

  /**
   * Opens (creating and migrating when needed) the SQLite database {@code file} with {@link
   * SqliteOptions#defaults()}: WAL, {@code synchronous=FULL}, group commit on.
   *
   * @throws FsmStoreException when the file cannot be opened or migrated, or its schema is newer
   */
  static FsmStore sqlite(Path file) {
    return sqlite(file, SqliteOptions.defaults());
  }

  /**
   * Opens (creating and migrating when needed) the SQLite database {@code file}. Several processes
   * may open one file at once; each transition stays exact.
   *
   * @throws FsmStoreException when the file cannot be opened or migrated, or its schema is newer
   */
  static FsmStore sqlite(Path file, SqliteOptions options) {
    return SqliteFsmStore.open(file, options);
  }

  /** Returns a short description for messages, such as the database file. */
  String describe();

  /**
   * Inserts a new entity (version 0).
   *
   * @return false, changing nothing, if an entity with that id exists (any machine)
   * @throws IllegalArgumentException when the data is over the limits of stored JSON listed at
   *     {@link FsmEngine#create(String, String, java.util.Map)} (the built-in stores refuse it, so
   *     that nothing is stored that cannot be read back; the engine checks before calling)
   */
  boolean insert(EntityState entity);

  /** Reads one entity's current snapshot. */
  Optional<EntityState> read(String entityId);

  /**
   * Atomically: if the entity's version is {@code commit.expectedVersion()}, sets its state to
   * {@code commit.to()} and its version to expected + 1, writes {@code commit.attempt()} (outcome
   * {@link Outcome#TRANSITIONED}, version expected + 1) and one outbox row per effect; otherwise
   * writes only a {@link Outcome#CONFLICT} attempt row (same attempt id) naming both versions.
   *
   * @return whether it committed or conflicted, with the version found
   * @throws IllegalArgumentException when an effect's payload is over the limits of stored JSON
   *     listed at {@link FsmEngine#create(String, String, java.util.Map)}; nothing changes (the
   *     built-in stores refuse it; the engine checks before calling)
   */
  CommitResult commit(TransitionCommit commit);

  /**
   * Writes one attempt that changed nothing (not allowed, guard rejected, failed, effect failed).
   */
  void log(Attempt attempt);

  /**
   * Returns the attempt with this id on {@code entityId}, if recorded: how the engine learns
   * whether a commit whose answer was lost did commit.
   */
  Optional<Attempt> attempt(String entityId, long attemptId);

  /**
   * Returns the recorded attempt that is {@code like}: same entity, id, time and event. Attempt ids
   * of different processes can repeat (rarely, within one millisecond), so a store shared by
   * processes must match on all four; by default {@link #attempt} filtered, which suffices for a
   * store that keeps only its own process's attempts or returns the newest match.
   */
  default Optional<Attempt> attempt(Attempt like) {
    return attempt(like.entityId(), like.attemptId())
        .filter(a -> a.time().equals(like.time()) && a.event().equals(like.event()));
  }

  /** Returns every attempt on {@code entityId}, in recording order. */
  List<Attempt> history(String entityId);

  /** Returns every entity, ordered by id (for checkers and listings; not for hot paths). */
  List<EntityState> entities();

  /**
   * Returns up to {@code limit} undispatched outbox entries due at {@code now} (due again no later
   * than it), oldest first; none when {@code limit} is 0.
   *
   * @throws IllegalArgumentException when {@code limit < 0}
   * @throws NullPointerException when {@code now} is null
   */
  List<OutboxEntry> pendingEffects(Instant now, int limit);

  /**
   * Returns up to {@code limit} undispatched outbox entries due at {@code now} whose effect {@code
   * effects} lists for their machine, oldest first (in the order of {@link #pendingEffects(Instant,
   * int)}): what a dispatcher with handlers for just those effects asks for, so that any number of
   * due entries it has no handler for (left for another process) cannot hide the ones it has.
   * {@code limit} counts the entries returned, after filtering. Naming no effect (an empty map, or
   * only empty sets) asks for nothing: the answer is empty, as it is when {@code limit} is 0.
   *
   * <p>The default pages through {@link #pendingEffects(Instant, int)} with growing pages, reading
   * every due entry before the last one it returns; stores should answer with one query.
   *
   * @param effects effect names by machine name
   * @throws IllegalArgumentException when {@code limit < 0}
   * @throws NullPointerException when {@code now} or {@code effects} is null
   */
  default List<OutboxEntry> pendingEffects(
      Instant now, int limit, Map<String, ? extends Set<String>> effects) {
    OutboxEntry.checkPendingArguments(now, limit);
    Objects.requireNonNull(effects, "effects");
    if (limit == 0) {
      pendingEffects(now, 0); // asked all the same: a closed or failing store says so
      return new ArrayList<>();
    }
    List<OutboxEntry> out = new ArrayList<>();
    for (long page = limit; ; page *= 2) {
      int asked = (int) Math.min(page, Integer.MAX_VALUE);
      List<OutboxEntry> due = pendingEffects(now, asked);
      out.clear();
      for (OutboxEntry e : due) {
        Set<String> wanted = effects.get(e.machine());
        if (wanted != null && wanted.contains(e.effect())) {
          out.add(e);
          if (out.size() == limit) {
            return out;
          }
        }
      }
      if (due.size() < asked || asked == Integer.MAX_VALUE) {
        return out;
      }
    }
  }

  /** Returns every outbox entry of {@code entityId}, dispatched or not, in creation order. */
  List<OutboxEntry> outbox(String entityId);

  /** Marks an outbox entry dispatched; idempotent. */
  void markDispatched(long outboxId, Instant at);

  /**
   * Records a failed dispatch: bumps the entry's dispatch count, sets when it is due again and its
   * last error, and writes {@code failure} (an {@link Outcome#EFFECT_FAILED} attempt) in one step.
   */
  void recordDispatchFailure(long outboxId, Instant nextAttempt, Attempt failure);

  /** Closes the store, releasing its threads and connections. Idempotent. */
  @Override
  void close();
}
