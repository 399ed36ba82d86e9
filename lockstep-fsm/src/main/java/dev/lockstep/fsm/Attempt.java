package dev.lockstep.fsm;

import java.time.Instant;
import java.util.Objects;

/**
 * One row of the attempt log: every fire is recorded, whatever its outcome, and so is every failed
 * dispatch of an after-commit effect ({@link Outcome#EFFECT_FAILED}).
 *
 * @param attemptId the attempt's id, chosen by the engine before the commit so that a commit whose
 *     answer was lost can be looked up: time-ordered, never repeated within one JVM; processes
 *     sharing a store could repeat one only within the same millisecond (the engine checks a row it
 *     looks up is its own)
 * @param time when the attempt was decided
 * @param machine the machine's name
 * @param entityId the entity
 * @param event the event fired
 * @param from the state the attempt read, or null when the entity was not found
 * @param to the target state of the transition, or null when there was none
 * @param guard the transition's guard name, or null
 * @param guardResult what the guard said
 * @param outcome what happened
 * @param error the error text for {@link Outcome#FAILED}, {@link Outcome#CONFLICT} (expected and
 *     actual versions), {@link Outcome#GUARD_REJECTED} and {@link Outcome#EFFECT_FAILED}, else null
 * @param version for {@link Outcome#TRANSITIONED} and {@link Outcome#EFFECT_FAILED} the version the
 *     transition produced; otherwise the version the attempt read (-1 when none)
 */
public record Attempt(
    long attemptId,
    Instant time,
    String machine,
    String entityId,
    String event,
    String from,
    String to,
    String guard,
    GuardResult guardResult,
    Outcome outcome,
    String error,
    long version) {

  /** Checks the required fields. */
  public Attempt {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(machine, "machine");
    Objects.requireNonNull(entityId, "entityId");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(guardResult, "guardResult");
    Objects.requireNonNull(outcome, "outcome");
  }
}
