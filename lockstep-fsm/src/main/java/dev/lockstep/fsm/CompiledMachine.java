package dev.lockstep.fsm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A definition indexed for the hot path: per state, per event, the transition with its guard, its
 * in-transition action bodies (exit, transition, entry order) and its effect names — all resolved
 * once, so a fire allocates no lookup keys. An effect named more than once in one transition (as
 * the source's exit action and the target's entry action, say, or at both ends of a self-loop) is
 * listed once, where it first appears: the outbox holds one entry per (entity, version, effect),
 * its idempotency key. In-transition actions run as often as they are named.
 */
final class CompiledMachine {

  /** One transition, resolved. */
  record Step(
      Transition transition, Guard guard, List<NamedAction> actions, List<String> effects) {}

  /** An in-transition action with its body. */
  record NamedAction(String name, Action body) {}

  final MachineDefinition definition;
  final String name;
  final Map<String, Action> effects;
  private final Map<String, Map<String, Step>> steps = new HashMap<>();
  private final Set<String> guarded = new HashSet<>();

  CompiledMachine(MachineDefinition definition, Map<String, Action> handlers) {
    this.definition = definition;
    this.name = definition.name();
    Map<String, Action> effectBodies = new HashMap<>();
    definition
        .actions()
        .forEach(
            (n, a) -> {
              if (a.effect()) {
                Action body = handlers.getOrDefault(n, a.body().orElse(null));
                if (body != null) {
                  effectBodies.put(n, body);
                }
              }
            });
    this.effects = Map.copyOf(effectBodies);
    for (Transition t : definition.transitions()) {
      for (String from : t.from()) {
        List<String> names = new ArrayList<>();
        definition.state(from).ifPresent(s -> names.addAll(s.exitActions()));
        names.addAll(t.actions());
        definition.state(t.to()).ifPresent(s -> names.addAll(s.entryActions()));
        List<NamedAction> inline = new ArrayList<>();
        Set<String> effectNames = new LinkedHashSet<>(); // once each: see the class
        for (String n : names) {
          ActionDefinition a = definition.actions().get(n);
          if (a == null) {
            continue;
          }
          if (a.effect()) {
            effectNames.add(n);
          } else if (a.body().isPresent()) {
            inline.add(new NamedAction(n, a.body().get()));
          }
        }
        Guard guard = t.guard().map(g -> definition.guards().get(g)).orElse(null);
        if (guard != null || !inline.isEmpty()) {
          guarded.add(t.event());
        }
        steps
            .computeIfAbsent(from, k -> new HashMap<>())
            .put(t.event(), new Step(t, guard, List.copyOf(inline), List.copyOf(effectNames)));
      }
    }
  }

  /**
   * Whether no transition on {@code event}, from any state, has a guard or an in-transition action:
   * then a fire of it needs nothing but the entity's (machine, state, version), and a store that
   * reads inside its write transaction can decide it there ({@link InWriteFires}).
   */
  boolean plain(String event) {
    return !guarded.contains(event);
  }

  /** Returns the step for {@code event} in {@code state}, or null when not allowed. */
  Step step(String state, String event) {
    Map<String, Step> byEvent = steps.get(state);
    return byEvent == null ? null : byEvent.get(event);
  }
}
