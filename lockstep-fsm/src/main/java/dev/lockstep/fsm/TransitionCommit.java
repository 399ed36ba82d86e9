package dev.lockstep.fsm;

import java.util.List;
import java.util.Objects;

/**
 * What the engine asks a store to commit for one transition: the conditional update, the attempt
 * row that records it, and the effects to put in the outbox.
 *
 * @param expectedVersion the version the engine read and evaluated against
 * @param to the state to set
 * @param attempt the attempt row, outcome {@link Outcome#TRANSITIONED}, version expected + 1
 * @param effects the after-commit effects, in order; possibly empty; each effect at most once, as
 *     (entity, version, effect) is an outbox entry's idempotency key
 */
public record TransitionCommit(
    long expectedVersion, String to, Attempt attempt, List<EffectRequest> effects) {

  /**
   * Checks the fields and copies the list.
   *
   * @throws IllegalArgumentException when {@code effects} names one effect twice
   */
  public TransitionCommit {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(attempt, "attempt");
    effects = List.copyOf(effects);
    for (int i = 1; i < effects.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (effects.get(i).effect().equals(effects.get(j).effect())) {
          throw new IllegalArgumentException(
              "effect '"
                  + effects.get(i).effect()
                  + "' is named twice in one transition of entity '"
                  + attempt.entityId()
                  + "': the outbox holds one entry per (entity, version, effect)");
        }
      }
    }
  }

  /** Returns the entity. */
  public String entityId() {
    return attempt.entityId();
  }

  /**
   * Returns the attempt row to write when the version did not match: same attempt id, outcome
   * {@link Outcome#CONFLICT}, version as read, error naming both versions.
   */
  public Attempt conflictAttempt(long actualVersion) {
    Attempt a = attempt;
    return new Attempt(
        a.attemptId(),
        a.time(),
        a.machine(),
        a.entityId(),
        a.event(),
        a.from(),
        a.to(),
        a.guard(),
        a.guardResult(),
        Outcome.CONFLICT,
        "expected version " + expectedVersion + ", found " + actualVersion,
        expectedVersion);
  }
}
