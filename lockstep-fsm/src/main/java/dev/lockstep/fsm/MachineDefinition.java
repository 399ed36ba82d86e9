package dev.lockstep.fsm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The immutable definition of a finite-state machine: its name, states, initial and final states,
 * events, transitions, named guards and named actions. It holds no entity and runs nothing; the
 * engine fires events against it.
 *
 * <h2>Guarantees</h2>
 *
 * <p>A definition that exists is valid: {@link #builder} and the loaders check every definition and
 * throw one {@link DefinitionException} listing all problems — unknown states (in transitions, the
 * initial state or the final states), unreachable states, two transitions for one (state, event),
 * no initial state, events declared but never used, events used but not declared (when events are
 * declared), guards and actions referenced but not defined, duplicate names, and guard expressions
 * with syntax or type errors. Errors from files carry the line.
 *
 * <p>It does not check that the machine can reach a final state, nor that Java guard and action
 * bodies behave.
 *
 * <h2>Files</h2>
 *
 * <p>YAML or JSON, the same shape:
 *
 * <pre>{@code
 * name: file-lifecycle
 * initial: NEW
 * finals: [DONE]
 * states: [NEW, LOCKED, {name: WRITING, entry: [openTemp], exit: [closeTemp]}, DONE]
 * events: [lock, write, commit]
 * guards:
 *   small: "payload.size < 1048576 && data.owner == payload.owner"
 * actions:
 *   notify: {effect: true}
 * transitions:
 *   - {from: NEW, on: lock, to: LOCKED}
 *   - {from: [LOCKED], on: write, to: WRITING, guard: small}
 *   - {from: WRITING, on: commit, to: DONE, actions: [notify]}
 * }</pre>
 *
 * <p>{@code events} is optional (then the events are those the transitions use), as are {@code
 * finals}, {@code guards} and {@code actions}. Guards in files are CEL expressions over {@code
 * data} and {@code payload}; actions in files are declarations without a body.
 *
 * <h2>Threading</h2>
 *
 * <p>Immutable and thread-safe; share one instance among all entities and threads. Builders are not
 * thread-safe.
 */
public interface MachineDefinition {

  /** Returns the machine's name. */
  String name();

  /** Returns the states in declaration order. */
  List<StateDefinition> states();

  /** Returns the state called {@code name}, if declared. */
  Optional<StateDefinition> state(String name);

  /** Returns the initial state. */
  String initial();

  /** Returns the final states, in declaration order; possibly empty. */
  List<String> finals();

  /** Returns the events, in declaration (or first use) order. */
  List<String> events();

  /** Returns the transitions in declaration order. */
  List<Transition> transitions();

  /** Returns the one transition taken on {@code event} in {@code state}, if any. */
  Optional<Transition> transition(String state, String event);

  /** Returns the guards by name, in declaration order. */
  Map<String, Guard> guards();

  /** Returns the actions by name, in declaration order. */
  Map<String, ActionDefinition> actions();

  /**
   * Returns a copy of this definition in which the declared action {@code name} has {@code body}
   * (keeping whether it is an effect): how Java code gives bodies to the actions a definition file
   * declares. This definition is unchanged.
   *
   * @throws IllegalArgumentException when no action {@code name} is declared
   */
  MachineDefinition withAction(String name, Action body);

  /** Returns a new builder for a machine called {@code name}. */
  static Builder builder(String name) {
    return new DefaultMachineBuilder(name, null);
  }

  /**
   * Loads a definition file: JSON when the name ends in {@code .json}, YAML otherwise.
   *
   * @throws IOException when the file cannot be read
   * @throws DefinitionException when it is malformed or invalid; errors carry lines
   */
  static MachineDefinition load(Path file) throws IOException {
    return DefinitionFileReader.load(file);
  }

  /**
   * Parses a YAML definition.
   *
   * @throws DefinitionException when it is malformed or invalid; errors carry lines
   */
  static MachineDefinition parseYaml(String yaml) {
    return DefinitionFileReader.parse(yaml, false, "<yaml>");
  }

  /**
   * Parses a JSON definition.
   *
   * @throws DefinitionException when it is malformed or invalid; errors carry lines
   */
  static MachineDefinition parseJson(String json) {
    return DefinitionFileReader.parse(json, true, "<json>");
  }

  /**
   * Builds a {@link MachineDefinition}. Every method returns this builder; problems are collected
   * and reported together by {@link #build}. Not thread-safe.
   */
  interface Builder {

    /** Declares states, in order. */
    Builder states(String... names);

    /** Declares the initial state. */
    Builder initial(String state);

    /** Declares final states. */
    Builder finals(String... states);

    /**
     * Declares events. Optional: without it, the events are those the transitions use; with it, a
     * transition on an undeclared event is an error, and so is a declared event no transition uses.
     */
    Builder events(String... events);

    /** Adds a transition, described by {@code spec}: {@code t -> t.from("A").on("go").to("B")}. */
    Builder transition(Consumer<TransitionSpec> spec);

    /** Adds actions run when {@code state} is entered. */
    Builder onEntry(String state, String... actions);

    /** Adds actions run when {@code state} is left. */
    Builder onExit(String state, String... actions);

    /**
     * Defines a synchronous guard: its answer is the predicate's return. The engine tests it on a
     * virtual thread of its own so that its guard timeout holds ({@link
     * FsmEngine.Builder#guardTimeout}).
     */
    Builder guard(String name, Predicate<GuardContext> predicate);

    /** Defines an asynchronous guard. */
    Builder asyncGuard(String name, Function<GuardContext, CompletionStage<Boolean>> guard);

    /** Defines a CEL expression guard over {@code data} and {@code payload}. */
    Builder expressionGuard(String name, String expression);

    /** Defines an action run inside the transition. */
    Builder action(String name, Action action);

    /**
     * Defines an effect: an action dispatched after commit through the outbox, once per transition
     * however often the transition names it (as exit, transition and entry action).
     */
    Builder effect(String name, Action action);

    /**
     * Validates and builds the definition.
     *
     * @throws DefinitionException listing every problem
     */
    MachineDefinition build();
  }

  /** Describes one transition inside {@link Builder#transition}. Not thread-safe. */
  interface TransitionSpec {

    /** Adds source states; at least one is required. */
    TransitionSpec from(String... states);

    /** Sets the event; required. */
    TransitionSpec on(String event);

    /** Sets the target state; required. */
    TransitionSpec to(String state);

    /** Sets the guard by name. */
    TransitionSpec guard(String name);

    /** Adds transition actions by name. */
    TransitionSpec actions(String... names);
  }
}
