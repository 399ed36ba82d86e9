package dev.lockstep.testkit.fsm;

/** Where a {@link FaultyFsmStore} makes the next commit fail. */
public enum Fault {
  /** Throw before the commit reaches the store: nothing is written. */
  BEFORE_COMMIT,
  /**
   * Let the commit happen, then throw before its caller hears the answer: the transition and its
   * attempt row are written, the caller sees an exception.
   */
  AFTER_COMMIT
}
