package dev.lockstep.fsm;

import java.util.List;
import java.util.Map;
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

  static String key(String state, String event) {
    return state + '\u0000' + event;
  }

  @Override
  public String toString() {
    return "MachineDefinition[" + name + ", " + states.size() + " states]";
  }
}
