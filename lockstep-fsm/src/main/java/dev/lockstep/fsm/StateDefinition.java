package dev.lockstep.fsm;

import java.util.List;
import java.util.Objects;

/**
 * A state of a machine with the names of the actions run on entering and leaving it. Immutable and
 * thread-safe.
 *
 * @param name the state's name, unique in its machine
 * @param entryActions actions run when a transition enters this state, in order
 * @param exitActions actions run when a transition leaves this state, in order
 * @param line the line declaring it in a definition file, or -1
 */
public record StateDefinition(
    String name, List<String> entryActions, List<String> exitActions, int line) {

  /** Checks the fields and copies the lists. */
  public StateDefinition {
    Objects.requireNonNull(name, "name");
    entryActions = List.copyOf(entryActions);
    exitActions = List.copyOf(exitActions);
  }
}
