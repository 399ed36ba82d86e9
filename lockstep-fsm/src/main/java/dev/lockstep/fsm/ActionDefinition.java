package dev.lockstep.fsm;

import java.util.Objects;
import java.util.Optional;

/**
 * A named action of a machine: its name, whether it is an effect, and its Java body.
 *
 * <p>An <em>effect</em> is dispatched after its transition commits, through the outbox, at least
 * once with the idempotency key (entity, version, effect): an effect that one transition names more
 * than once (as the source's exit action and the target's entry action, at both ends of a
 * self-loop, or also as a transition action) is written and dispatched once for that transition. A
 * plain action runs inside the transition, as often as it is named. Definition files can only
 * declare an action (they hold no code), so a loaded action has no body until one is bound in Java.
 * Immutable and thread-safe.
 *
 * @param name the action's name, unique in its machine
 * @param effect whether the action runs after commit through the outbox
 * @param body the Java body, or empty when declared in a file and not yet bound
 */
public record ActionDefinition(String name, boolean effect, Optional<Action> body) {

  /** Checks the fields. */
  public ActionDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(body, "body");
  }
}
