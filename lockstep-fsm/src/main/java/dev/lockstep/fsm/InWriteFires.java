package dev.lockstep.fsm;

import java.util.Map;

/**
 * A store that can decide a fire inside its own write transaction: for an event whose transitions
 * have no guard and no in-transition action ({@link CompiledMachine#plain}), the decision needs
 * only the entity's (machine, state, version), so the store reads them after taking its write lock,
 * picks the step, and writes the update, the attempt row and the outbox rows in the same
 * transaction. The engine then needs no pre-read, and no other writer can move the entity between
 * the read and the update, so such a fire never conflicts: of concurrent fires of one event on one
 * entity, the first transitions and the others see its result ({@code NOT_ALLOWED} unless the new
 * state allows the event too) — an order the pre-read design also allows.
 *
 * <p>Package-private: only {@link DefaultFsmEngine} calls it, and only on a store that implements
 * it (a wrapping store does not, so its fires take the read-then-commit path).
 */
interface InWriteFires {

  /**
   * Reads the entity of {@code draft} inside a write transaction and writes the one attempt row of
   * this fire, atomically with its effect: {@link Outcome#TRANSITIONED} (state, version + 1, outbox
   * rows of the step's effects with {@code payload}), {@link Outcome#NOT_ALLOWED} (nothing else),
   * or {@link Outcome#FAILED} when the entity is missing or belongs to another machine (error: the
   * message of the {@link NoSuchEntityException} to raise).
   *
   * @param draft the attempt's id, time, machine, entity and event (its other fields are ignored)
   * @return the attempt row written, after its transaction committed
   * @throws FsmStoreException when the write failed or its answer was lost: it may have committed,
   *     so the caller looks the attempt up ({@link FsmStore#attempt(Attempt)})
   */
  Attempt fireInWrite(CompiledMachine machine, Attempt draft, Map<String, Object> payload);
}
