package dev.lockstep.fsm;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Runs persistent per-entity state machines on an {@link FsmStore}: creates entities, fires events
 * at them, and answers with exact, logged results.
 *
 * <pre>{@code
 * try (FsmStore store = FsmStore.sqlite(Path.of("fsm.db"));
 *     FsmEngine engine = FsmEngine.builder(store).machine(turn).build()) {
 *   engine.create("user-turn", "user-42", Map.of("budget", 3));
 *   switch (engine.fire("user-turn", "user-42", "message", Map.of())) {
 *     case FireResult.Transitioned t -> start(t.to());
 *     case FireResult.Conflict c -> tellUserBusy();
 *     default -> {}
 *   }
 * }
 * }</pre>
 *
 * <h2>One fire, one transaction</h2>
 *
 * <p>Each attempt reads the entity's (state, version), checks the event is allowed in that state,
 * tests the transition's guard against that snapshot, runs the in-transition (non-effect) actions,
 * then asks the store for one atomic commit: {@code UPDATE … SET state, version = version + 1 WHERE
 * id = ? AND version = ?}, the attempt row and the outbox rows. Zero rows updated is a {@link
 * FireResult.Conflict}: logged, nothing else changed. Of N concurrent fires of one event on one
 * entity — threads, virtual threads or processes sharing a database — exactly one is {@link
 * FireResult.Transitioned}; every attempt, whatever its outcome, is in {@link #history}.
 *
 * <p>Not guaranteed: in-transition actions run <em>before</em> the commit and may run for an
 * attempt that then conflicts; make them side-effect free or declare them as effects. A guard sees
 * the snapshot it was given, not later changes. Conflicts are not retried unless asked with {@link
 * Retry}.
 *
 * <h2>Effects</h2>
 *
 * <p>Actions declared as effects are written to the outbox in the transition's transaction and
 * dispatched after commit by a background thread, at least once, with the idempotency key (entity,
 * version, effect): an effect that one transition names more than once (exit action of the source
 * and entry action of the target, both ends of a self-loop) is one outbox entry, dispatched once
 * for that transition. A failed dispatch — the handler threw, be it an exception or an {@link
 * Error} — is retried with exponential backoff and logged as an {@link Outcome#EFFECT_FAILED}
 * attempt. An effect without a handler in this engine is left for another engine (another process)
 * that has one.
 *
 * <h2>Threading</h2>
 *
 * <p>Thread-safe. {@link #fire} blocks the calling thread for the read, the guard (at most the
 * guard timeout: Java guards run on a virtual thread of their own, see {@link
 * Builder#guardTimeout}) and the store's commit; {@link #fireAsync} does the same on a virtual
 * thread. With {@link Builder#entityLock(boolean)} fires on one entity in this JVM queue behind an
 * in-process {@code KeyedLock}, which saves wasted work; correctness never depends on it.
 */
public interface FsmEngine extends AutoCloseable {

  /** Returns a builder for an engine over {@code store}. The engine does not close the store. */
  static Builder builder(FsmStore store) {
    return new EngineBuilder(store);
  }

  /**
   * Creates entity {@code entityId} of {@code machine} in its initial state, version 0, no data.
   *
   * @throws IllegalArgumentException when the machine is not registered with this engine
   * @throws DuplicateEntityException when the store has an entity with that id (any machine)
   * @throws FsmStoreException when the store fails
   */
  EntityState create(String machine, String entityId);

  /**
   * Creates entity {@code entityId} of {@code machine} in its initial state, version 0, with {@code
   * data} (JSON-compatible values, stored as given).
   *
   * <p>Every store keeps only data that a JSON store can write and read back, whatever the store:
   * strings of at most 20,000,000 chars, map keys of at most 50,000 chars and never null, numbers
   * of at most 1,000 digits, maps and lists nested at most 1,000 levels deep (the data map is one
   * level). These are the default read limits of Jackson, which a SQLite store's readers apply.
   *
   * @throws IllegalArgumentException when the machine is not registered with this engine, or when
   *     {@code data} is over one of those limits (the message names the entity, where in the data,
   *     and the limit); nothing is stored
   * @throws DuplicateEntityException when the store has an entity with that id (any machine)
   * @throws FsmStoreException when the store fails
   */
  EntityState create(String machine, String entityId, Map<String, Object> data);

  /**
   * Fires {@code event} at the entity once: a conflict is returned, not retried. Never throws for
   * outcomes; every outcome, including failures, is a {@link FireResult} and an attempt row (except
   * when the store itself cannot be written, then {@link FireResult.Failed} carries why).
   *
   * <p>When the transition has effects, the payload is written to the outbox, so it must keep the
   * limits {@link #create(String, String, Map)} lists; one that does not fails the attempt ({@link
   * FireResult.Failed} with an {@link IllegalArgumentException} naming the entity, the event, where
   * in the payload and the limit; logged, nothing changed) before the guard runs.
   *
   * @param payload the event's payload for guards and actions; may be empty
   * @throws IllegalArgumentException when the machine is not registered with this engine
   */
  FireResult fire(String machine, String entityId, String event, Map<String, Object> payload);

  /**
   * Fires {@code event}, re-reading and re-evaluating against the new state after each conflict, up
   * to {@code retry} times. Each try is logged as its own attempt.
   *
   * @throws IllegalArgumentException when the machine is not registered with this engine
   */
  FireResult fire(
      String machine, String entityId, String event, Map<String, Object> payload, Retry retry);

  /**
   * {@link #fire(String, String, String, Map)} on a virtual thread; the calling thread does not
   * wait. The future completes with the result, never exceptionally (outcomes are results).
   *
   * @throws IllegalArgumentException (at once) when the machine is not registered with this engine
   * @throws java.util.concurrent.RejectedExecutionException (at once) after {@link #close()}
   */
  CompletableFuture<FireResult> fireAsync(
      String machine, String entityId, String event, Map<String, Object> payload);

  /**
   * {@link #fire(String, String, String, Map, Retry)} on a virtual thread; see {@link
   * #fireAsync(String, String, String, Map)}.
   */
  CompletableFuture<FireResult> fireAsync(
      String machine, String entityId, String event, Map<String, Object> payload, Retry retry);

  /**
   * Returns the entity's state, version and data as the store has them now.
   *
   * @throws FsmStoreException when the store fails
   */
  Optional<EntityState> current(String entityId);

  /**
   * Returns every attempt on the entity in recording order.
   *
   * @throws FsmStoreException when the store fails
   */
  List<Attempt> history(String entityId);

  /**
   * Dispatches, on the calling thread, every outbox entry that is due and has a handler here.
   *
   * @return how many were dispatched successfully
   */
  int dispatchEffects();

  /** Returns the store. */
  FsmStore store();

  /**
   * Stops the effect dispatcher (waiting for an effect handler that is running to return) and the
   * async executor (waiting for running fires), leaving the store open. Pending effects stay in the
   * outbox for the next engine. Idempotent.
   */
  @Override
  void close();

  /** Configures an {@link FsmEngine}. Not thread-safe. */
  interface Builder {

    /** Registers a machine definition; entities name it by {@link MachineDefinition#name()}. */
    Builder machine(MachineDefinition definition);

    /**
     * Puts an in-process per-entity {@code KeyedLock} in front of each fire (default off): fires on
     * one entity in this JVM then wait instead of conflicting. Not a correctness mechanism.
     */
    Builder entityLock(boolean enabled);

    /**
     * Puts {@code lock} in front of each fire, keyed by entity id: like {@link
     * #entityLock(boolean)}, with your lock's options — for example a cap on active entities
     * ({@code LockOptions.maxActiveKeys}), over which a fire fails with {@code
     * CapacityExceededException} (logged, nothing changed). The lock may be shared with your own
     * code.
     */
    Builder entityLock(dev.lockstep.lock.KeyedLock<String> lock);

    /**
     * How long a fire waits for the entity lock before failing with {@code LockTimeoutException}
     * (logged, nothing changed; default 30 s).
     */
    Builder entityLockTimeout(Duration timeout);

    /**
     * How long a guard may take (default 5 s); a slower guard fails the attempt, logged with {@link
     * GuardResult#TIMED_OUT}, without changing state.
     *
     * <p>Java guards, synchronous ({@link MachineDefinition.Builder#guard}) and asynchronous alike,
     * are tested on a virtual thread of their own, so that the fire returns when the timeout passes
     * even if the guard blocks: the guard's thread is then interrupted and an async guard's future
     * cancelled, and its late answer is ignored. A thread cannot be killed: a guard that ignores
     * the interrupt runs on until it returns ({@link FsmEngine#close()} does not wait for it). A
     * Java guard does not see the firing thread's thread-locals. CEL guards, which cannot block or
     * loop, are evaluated on the firing thread; one that took longer than the timeout fails the
     * attempt {@code TIMED_OUT} all the same.
     */
    Builder guardTimeout(Duration timeout);

    /**
     * Binds the body of the effect action {@code effect} in every registered machine that declares
     * it (overriding any body the definition has).
     */
    Builder effectHandler(String effect, Action handler);

    /** First and largest delay between retries of a failed dispatch (defaults 100 ms and 1 min). */
    Builder effectBackoff(Duration initial, Duration max);

    /**
     * Whether a background thread dispatches effects (default on). Off, call {@link
     * FsmEngine#dispatchEffects()} yourself.
     */
    Builder dispatchEffects(boolean enabled);

    /**
     * Builds the engine.
     *
     * @throws IllegalArgumentException when no machine is registered, or two share a name
     */
    FsmEngine build();
  }
}
