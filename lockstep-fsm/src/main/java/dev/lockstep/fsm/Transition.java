package dev.lockstep.fsm;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A transition: on {@code event} in any of the {@code from} states, if the guard (when present)
 * passes, go to {@code to}, running {@code actions}. Immutable and thread-safe.
 *
 * @param from the source states, at least one in a valid definition
 * @param event the event
 * @param to the target state
 * @param guard the name of the guard, if any
 * @param actions the names of the transition actions, in order
 * @param line the line declaring it in a definition file, or -1
 */
public record Transition(
    List<String> from,
    String event,
    String to,
    Optional<String> guard,
    List<String> actions,
    int line) {

  /** Checks the fields and copies the lists. */
  public Transition {
    from = List.copyOf(from);
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(guard, "guard");
    actions = List.copyOf(actions);
  }

  /** Returns {@code A,B --event--> C}, how validation errors name a transition. */
  String describe() {
    return String.join(",", from) + " --" + event + "--> " + to;
  }
}
