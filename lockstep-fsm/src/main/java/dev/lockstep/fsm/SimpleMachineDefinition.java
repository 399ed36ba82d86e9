package dev.lockstep.fsm;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The validated, immutable definition {@link DefaultMachineBuilder} produces. */
record SimpleMachineDefinition(
    String name,
    List<StateDefinition> states,
    String initial,
    List<String> finals,
    List<String> events,
    List<Transition> transitions,
    Map<String, Guard> guards,
    Map<String, ActionDefinition> actions,
    Map<String, StateDefinition> stateIndex,
    Map<String, Transition> transitionIndex)
    implements MachineDefinition {

  @Override
  public Optional<StateDefinition> state(String name) {
    return Optional.ofNullable(stateIndex.get(name));
  }

  @Override
  public Optional<Transition> transition(String state, String event) {
    return Optional.ofNullable(transitionIndex.get(key(state, event)));
  }

  @Override
  public MachineDefinition withAction(String action, Action body) {
    Objects.requireNonNull(body, "body");
    ActionDefinition declared = actions.get(action);
    if (declared == null) {
      throw new IllegalArgumentException(
          "machine '" + name + "' declares no action '" + action + "'; it has " + actions.keySet());
    }
    Map<String, ActionDefinition> bound = new LinkedHashMap<>(actions);
    bound.put(action, new ActionDefinition(action, declared.effect(), Optional.of(body)));
    return new SimpleMachineDefinition(
        name,
        states,
        initial,
        finals,
        events,
        transitions,
        guards,
        Collections.unmodifiableMap(bound),
        stateIndex,
        transitionIndex);
  }

  static String key(String state, String event) {
    return state + '\u0000' + event;
  }

  @Override
  public String toString() {
    return "MachineDefinition[" + name + ", " + states.size() + " states]";
  }
}
