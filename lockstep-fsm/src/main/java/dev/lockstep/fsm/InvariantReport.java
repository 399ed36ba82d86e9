package dev.lockstep.fsm;

import java.util.List;

/**
 * What {@link FsmInvariants#check} found.
 *
 * @param entities how many entities were checked
 * @param attempts how many attempts were read
 * @param violations each broken invariant, naming the entity, version and rule; empty when clean
 */
public record InvariantReport(int entities, int attempts, List<String> violations) {

  /** Copies the list. */
  public InvariantReport {
    violations = List.copyOf(violations);
  }

  /** Returns whether no invariant is broken. */
  public boolean ok() {
    return violations.isEmpty();
  }

  /** Throws an {@link AssertionError} listing the violations, if any. */
  public InvariantReport assertOk() {
    if (!ok()) {
      throw new AssertionError(violations.size() + " FSM invariant violations: " + violations);
    }
    return this;
  }
}
