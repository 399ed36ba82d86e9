package dev.lockstep.fsm;

/** What the transition's guard said in an {@link Attempt}. */
public enum GuardResult {
  /** No guard ran: the transition has none, or the attempt ended before the guard. */
  NONE,
  /** The guard answered true. */
  PASSED,
  /** The guard answered false. */
  REJECTED,
  /** The guard threw, or its stage completed exceptionally. */
  ERROR,
  /** The guard did not answer within the engine's guard timeout. */
  TIMED_OUT
}
