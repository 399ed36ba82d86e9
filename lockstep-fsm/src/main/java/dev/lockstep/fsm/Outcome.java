package dev.lockstep.fsm;

/** The outcome of a logged {@link Attempt}. */
public enum Outcome {
  /** The event moved the entity; the attempt's version is the new version. */
  TRANSITIONED,
  /** The entity's state has no transition on the event. */
  NOT_ALLOWED,
  /** The transition's guard answered false. */
  GUARD_REJECTED,
  /** Another writer won the conditional update; nothing changed. */
  CONFLICT,
  /** A guard, action or the store failed (or a guard timed out); nothing changed. */
  FAILED,
  /**
   * Not a fire: an after-commit effect of the transition to the attempt's version failed to
   * dispatch and will be retried. The error names the effect and the dispatch attempt.
   */
  EFFECT_FAILED;

  /** Returns whether this outcome is one of the five a {@link FireResult} can have. */
  public boolean isFire() {
    return this != EFFECT_FAILED;
  }
}
