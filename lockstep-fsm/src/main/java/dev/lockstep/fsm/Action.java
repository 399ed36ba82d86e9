package dev.lockstep.fsm;

/**
 * The Java body of a named entry, exit or transition action.
 *
 * <p>Actions must be thread-safe: one definition serves every entity, on any thread. An action
 * declared as an effect (see {@link ActionDefinition#effect()}) runs only after its transition has
 * committed, at least once; other actions run inside the transition and a throw — an exception or
 * an {@link Error}, as for a guard — fails the attempt ({@link FireResult.Failed}, logged, nothing
 * changed).
 */
@FunctionalInterface
public interface Action {

  /** Runs the action. */
  void execute(ActionContext context);
}
