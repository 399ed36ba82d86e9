package dev.lockstep.fsm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a collected definition and returns every problem, in a stable order: the machine, the
 * initial and final states, then each transition in order, state actions, unreachable states and
 * unused events. Stateless.
 */
final class DefinitionValidator {
  private DefinitionValidator() {}

  static List<DefinitionError> validate(DefaultMachineBuilder b) {
    List<DefinitionError> errors = new ArrayList<>();
    Set<String> states = b.states.keySet();
    if (b.name == null || b.name.isBlank()) {
      errors.add(new DefinitionError("machine", b.rootLine, "has no name"));
    }
    if (states.isEmpty()) {
      errors.add(new DefinitionError("states", b.rootLine, "no states declared"));
    }
    boolean initialKnown = false;
    if (b.initial == null) {
      errors.add(new DefinitionError("initial", b.rootLine, "no initial state"));
    } else if (!states.contains(b.initial.value())) {
      errors.add(unknownState("initial", b.initial.line(), b.initial.value()));
    } else {
      initialKnown = true;
    }
    for (DefaultMachineBuilder.Located f : b.finals) {
      if (!states.contains(f.value())) {
        errors.add(unknownState("final state " + f.value(), f.line(), f.value()));
      }
    }

    Set<String> declaredEvents = new HashSet<>();
    if (b.events != null) {
      b.events.forEach(e -> declaredEvents.add(e.value()));
    }
    Map<String, Integer> firstTransition = new HashMap<>();
    Map<String, Set<String>> edges = new HashMap<>();
    for (int i = 0; i < b.transitions.size(); i++) {
      Transition t = b.transitions.get(i);
      String element = "transition #" + (i + 1) + " (" + t.describe() + ")";
      int line = t.line();
      if (t.from().isEmpty()) {
        errors.add(new DefinitionError(element, line, "no 'from' state"));
      }
      if (t.event().isEmpty()) {
        errors.add(new DefinitionError(element, line, "no event"));
      } else if (b.events != null && !declaredEvents.contains(t.event())) {
        errors.add(new DefinitionError(element, line, "unknown event '" + t.event() + "'"));
      }
      if (t.to().isEmpty()) {
        errors.add(new DefinitionError(element, line, "no 'to' state"));
      } else if (!states.contains(t.to())) {
        errors.add(unknownState(element, line, t.to()));
      }
      for (String from : t.from()) {
        if (!states.contains(from)) {
          errors.add(unknownState(element, line, from));
          continue;
        }
        edges.computeIfAbsent(from, k -> new LinkedHashSet<>()).add(t.to());
        if (t.event().isEmpty()) {
          continue;
        }
        Integer first =
            firstTransition.putIfAbsent(SimpleMachineDefinition.key(from, t.event()), i);
        if (first != null) {
          Transition other = b.transitions.get(first);
          errors.add(
              new DefinitionError(
                  element,
                  line,
                  "a second transition for ("
                      + from
                      + ", "
                      + t.event()
                      + "); the first is transition #"
                      + (first + 1)
                      + (other.line() > 0 ? " at line " + other.line() : "")));
        }
      }
      t.guard()
          .filter(g -> !b.guards.containsKey(g))
          .ifPresent(
              g ->
                  errors.add(
                      new DefinitionError(element, line, "guard '" + g + "' is not defined")));
      for (String action : t.actions()) {
        if (!b.actions.containsKey(action)) {
          errors.add(undefinedAction(element, line, action));
        }
      }
    }

    for (DefaultMachineBuilder.StateDraft s : b.states.values()) {
      for (String action : s.entry) {
        if (!b.actions.containsKey(action)) {
          errors.add(undefinedAction("state " + s.name, s.line, action));
        }
      }
      for (String action : s.exit) {
        if (!b.actions.containsKey(action)) {
          errors.add(undefinedAction("state " + s.name, s.line, action));
        }
      }
    }

    if (initialKnown) {
      Set<String> reached = new HashSet<>();
      Deque<String> todo = new ArrayDeque<>();
      reached.add(b.initial.value());
      todo.add(b.initial.value());
      while (!todo.isEmpty()) {
        for (String next : edges.getOrDefault(todo.poll(), Set.of())) {
          if (states.contains(next) && reached.add(next)) {
            todo.add(next);
          }
        }
      }
      for (DefaultMachineBuilder.StateDraft s : b.states.values()) {
        if (!reached.contains(s.name)) {
          errors.add(
              new DefinitionError(
                  "state " + s.name,
                  s.line,
                  "unreachable from the initial state " + b.initial.value()));
        }
      }
    }

    if (b.events != null) {
      Set<String> used = new HashSet<>();
      b.transitions.forEach(t -> used.add(t.event()));
      for (DefaultMachineBuilder.Located e : b.events) {
        if (!used.contains(e.value())) {
          errors.add(
              new DefinitionError("event " + e.value(), e.line(), "never used by a transition"));
        }
      }
    }
    return errors;
  }

  /** The declared events, or those the transitions use in first-use order. */
  static List<String> eventNames(DefaultMachineBuilder b) {
    if (b.events != null) {
      return b.events.stream().map(DefaultMachineBuilder.Located::value).toList();
    }
    Set<String> used = new LinkedHashSet<>();
    b.transitions.forEach(t -> used.add(t.event()));
    return List.copyOf(used);
  }

  private static DefinitionError unknownState(String element, int line, String state) {
    return new DefinitionError(element, line, "unknown state '" + state + "'");
  }

  private static DefinitionError undefinedAction(String element, int line, String action) {
    return new DefinitionError(element, line, "action '" + action + "' is not defined");
  }
}
