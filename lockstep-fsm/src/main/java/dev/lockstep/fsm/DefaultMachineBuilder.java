package dev.lockstep.fsm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Collects a definition, with the file line of each element when read from a file, and hands it to
 * {@link DefinitionValidator}. Errors found while collecting (bad guard expressions, duplicate
 * names, and those the file reader reports) are kept and reported with the validator's.
 */
final class DefaultMachineBuilder implements MachineDefinition.Builder {

  /** A name and the line that declared it (-1 when unknown). */
  record Located(String value, int line) {}

  /** A state's declaration with its actions. */
  static final class StateDraft {
    final String name;
    final int line;
    final List<String> entry = new ArrayList<>();
    final List<String> exit = new ArrayList<>();

    StateDraft(String name, int line) {
      this.name = name;
      this.line = line;
    }
  }

  final String name;
  final String source;

  /** The line of the definition's top level in a file, or -1. */
  int rootLine = -1;

  final Map<String, StateDraft> states = new LinkedHashMap<>();
  Located initial;
  final List<Located> finals = new ArrayList<>();
  List<Located> events;
  final List<Transition> transitions = new ArrayList<>();
  final Map<String, Guard> guards = new LinkedHashMap<>();
  final Map<String, ActionDefinition> actions = new LinkedHashMap<>();
  final List<DefinitionError> errors = new ArrayList<>();

  /**
   * @param name the machine's name
   * @param source the file read, for the exception message; null when built in Java
   */
  DefaultMachineBuilder(String name, String source) {
    this.name = name;
    this.source = source;
  }

  void addState(String state, int line) {
    if (states.containsKey(state)) {
      errors.add(new DefinitionError("state " + state, line, "declared twice"));
    } else {
      states.put(state, new StateDraft(state, line));
    }
  }

  void addStateActions(String state, List<String> entry, List<String> exit, int line) {
    StateDraft draft = states.get(state);
    if (draft == null) {
      errors.add(
          new DefinitionError("state " + state, line, "unknown state has entry/exit actions"));
      return;
    }
    draft.entry.addAll(entry);
    draft.exit.addAll(exit);
  }

  void setInitial(String state, int line) {
    initial = new Located(state, line);
  }

  void addFinal(String state, int line) {
    finals.add(new Located(state, line));
  }

  void addEvent(String event, int line) {
    if (events == null) {
      events = new ArrayList<>();
    }
    if (events.stream().anyMatch(e -> e.value().equals(event))) {
      errors.add(new DefinitionError("event " + event, line, "declared twice"));
    } else {
      events.add(new Located(event, line));
    }
  }

  void addTransition(Transition transition) {
    transitions.add(transition);
  }

  void addGuard(Guard guard, int line) {
    if (guards.containsKey(guard.name())) {
      errors.add(new DefinitionError("guard " + guard.name(), line, "defined twice"));
    } else {
      guards.put(guard.name(), guard);
    }
  }

  void addExpressionGuard(String guard, String expression, int line) {
    if (guards.containsKey(guard)) {
      errors.add(new DefinitionError("guard " + guard, line, "defined twice"));
      return;
    }
    CelGuard compiled = CelGuard.compile(guard, expression, line, errors);
    // A guard that failed to compile is still "defined": say so once, not again per reference.
    guards.put(guard, compiled != null ? compiled : Guard.of(guard, c -> false));
  }

  void addAction(ActionDefinition action, int line) {
    if (actions.containsKey(action.name())) {
      errors.add(new DefinitionError("action " + action.name(), line, "defined twice"));
    } else {
      actions.put(action.name(), action);
    }
  }

  void addError(DefinitionError error) {
    errors.add(error);
  }

  @Override
  public MachineDefinition.Builder states(String... names) {
    for (String state : names) {
      addState(Objects.requireNonNull(state, "state"), -1);
    }
    return this;
  }

  @Override
  public MachineDefinition.Builder initial(String state) {
    setInitial(Objects.requireNonNull(state, "state"), -1);
    return this;
  }

  @Override
  public MachineDefinition.Builder finals(String... names) {
    for (String state : names) {
      addFinal(Objects.requireNonNull(state, "state"), -1);
    }
    return this;
  }

  @Override
  public MachineDefinition.Builder events(String... names) {
    if (events == null) {
      events = new ArrayList<>();
    }
    for (String event : names) {
      addEvent(Objects.requireNonNull(event, "event"), -1);
    }
    return this;
  }

  @Override
  public MachineDefinition.Builder transition(Consumer<MachineDefinition.TransitionSpec> spec) {
    Spec s = new Spec();
    spec.accept(s);
    addTransition(s.toTransition(-1));
    return this;
  }

  @Override
  public MachineDefinition.Builder onEntry(String state, String... names) {
    addStateActions(state, List.of(names), List.of(), -1);
    return this;
  }

  @Override
  public MachineDefinition.Builder onExit(String state, String... names) {
    addStateActions(state, List.of(), List.of(names), -1);
    return this;
  }

  @Override
  public MachineDefinition.Builder guard(String guard, Predicate<GuardContext> predicate) {
    addGuard(Guard.of(guard, predicate), -1);
    return this;
  }

  @Override
  public MachineDefinition.Builder asyncGuard(
      String guard, Function<GuardContext, CompletionStage<Boolean>> function) {
    addGuard(Guard.async(guard, function), -1);
    return this;
  }

  @Override
  public MachineDefinition.Builder expressionGuard(String guard, String expression) {
    addExpressionGuard(Objects.requireNonNull(guard, "name"), expression, -1);
    return this;
  }

  @Override
  public MachineDefinition.Builder action(String action, Action body) {
    addAction(new ActionDefinition(action, false, Optional.of(body)), -1);
    return this;
  }

  @Override
  public MachineDefinition.Builder effect(String action, Action body) {
    addAction(new ActionDefinition(action, true, Optional.of(body)), -1);
    return this;
  }

  @Override
  public MachineDefinition build() {
    List<DefinitionError> all = new ArrayList<>(errors);
    all.addAll(DefinitionValidator.validate(this));
    String what = "'" + name + "'" + (source != null ? " (" + source + ")" : "");
    if (!all.isEmpty()) {
      throw new DefinitionException(what, all);
    }
    List<StateDefinition> stateList = new ArrayList<>();
    Map<String, StateDefinition> stateIndex = new LinkedHashMap<>();
    for (StateDraft draft : states.values()) {
      StateDefinition state = new StateDefinition(draft.name, draft.entry, draft.exit, draft.line);
      stateList.add(state);
      stateIndex.put(state.name(), state);
    }
    Map<String, Transition> transitionIndex = new LinkedHashMap<>();
    for (Transition t : transitions) {
      for (String from : t.from()) {
        transitionIndex.put(SimpleMachineDefinition.key(from, t.event()), t);
      }
    }
    return new SimpleMachineDefinition(
        name,
        List.copyOf(stateList),
        initial.value(),
        finals.stream().map(Located::value).toList(),
        DefinitionValidator.eventNames(this),
        List.copyOf(transitions),
        Collections.unmodifiableMap(new LinkedHashMap<>(guards)),
        Collections.unmodifiableMap(new LinkedHashMap<>(actions)),
        Collections.unmodifiableMap(stateIndex),
        Collections.unmodifiableMap(transitionIndex));
  }

  /** The {@link MachineDefinition.TransitionSpec} a builder lambda fills in. */
  static final class Spec implements MachineDefinition.TransitionSpec {
    final List<String> from = new ArrayList<>();
    String event;
    String to;
    String guard;
    final List<String> actions = new ArrayList<>();

    @Override
    public Spec from(String... states) {
      from.addAll(List.of(states));
      return this;
    }

    @Override
    public Spec on(String e) {
      event = Objects.requireNonNull(e, "event");
      return this;
    }

    @Override
    public Spec to(String state) {
      to = Objects.requireNonNull(state, "state");
      return this;
    }

    @Override
    public Spec guard(String name) {
      guard = Objects.requireNonNull(name, "guard");
      return this;
    }

    @Override
    public Spec actions(String... names) {
      actions.addAll(List.of(names));
      return this;
    }

    /** Missing parts become "" and are reported by the validator. */
    Transition toTransition(int line) {
      return new Transition(
          from,
          event == null ? "" : event,
          to == null ? "" : to,
          Optional.ofNullable(guard),
          actions,
          line);
    }
  }
}
