package dev.lockstep.testkit.fsm;

import dev.lockstep.fsm.FsmInvariants;
import dev.lockstep.fsm.FsmStore;
import dev.lockstep.fsm.InvariantReport;
import dev.lockstep.fsm.MachineDefinition;
import java.util.List;

/**
 * The testkit's entry to {@link FsmInvariants}: checks, through the SPI only, that every entity's
 * version equals its number of {@code TRANSITIONED} attempts (versions 1, 2, … in log order), that
 * replaying them from the initial state yields the current state, and that every outbox entry
 * belongs to a transition. {@link InvariantReport#assertOk()} turns violations into an {@link
 * AssertionError}. Run it when no one writes; thread-safe (no state).
 */
public final class FsmInvariantChecker {
  private FsmInvariantChecker() {}

  /** Checks every entity without definitions; see {@link FsmInvariants#check(FsmStore)}. */
  public static InvariantReport check(FsmStore store) {
    return FsmInvariants.check(store);
  }

  /**
   * Checks every entity against {@code definitions}; see {@link FsmInvariants#check(FsmStore,
   * List)}.
   */
  public static InvariantReport check(FsmStore store, List<MachineDefinition> definitions) {
    return FsmInvariants.check(store, definitions);
  }
}
