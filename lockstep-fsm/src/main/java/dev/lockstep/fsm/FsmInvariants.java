package dev.lockstep.fsm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the invariants every {@link FsmStore} must keep, through the SPI only, so it runs on any
 * store (memory, SQLite, PostgreSQL, yours) — in tests ({@code lockstep-testkit}'s {@code
 * FsmInvariantChecker}), from {@code lockstep fsm check}, or against a live database after a crash.
 *
 * <p>For every entity:
 *
 * <ol>
 *   <li>its version equals the number of its {@code TRANSITIONED} attempts, and those carry the
 *       versions 1, 2, … in log order;
 *   <li>replaying them from the machine's initial state — each one's {@code from} is the state the
 *       previous one reached, and the definition has that transition — yields the current state;
 *   <li>every outbox entry belongs to a transition: a {@code TRANSITIONED} attempt with its
 *       version.
 * </ol>
 *
 * <p>It reads without locking, so run it when no one writes (a concurrent writer can make a clean
 * store look inconsistent between two reads). Thread-safe: it holds no state.
 */
public final class FsmInvariants {
  private FsmInvariants() {}

  /**
   * Checks every entity of {@code store} without the machine definitions (as {@code lockstep fsm
   * check --db FILE} does): the replay starts from the first transition's source state, and whether
   * each logged transition exists in its machine is not checked.
   */
  public static InvariantReport check(FsmStore store) {
    return check(store, null);
  }

  /**
   * Checks every entity of {@code store}; entities of machines not in {@code definitions} are
   * reported as violations.
   */
  public static InvariantReport check(FsmStore store, List<MachineDefinition> definitions) {
    Map<String, MachineDefinition> byName = definitions == null ? null : new HashMap<>();
    if (definitions != null) {
      definitions.forEach(d -> byName.put(d.name(), d));
    }
    List<String> violations = new ArrayList<>();
    int attempts = 0;
    List<EntityState> entities = store.entities();
    for (EntityState e : entities) {
      List<Attempt> history = store.history(e.entityId());
      attempts += history.size();
      MachineDefinition def = byName == null ? null : byName.get(e.machine());
      if (byName != null && def == null) {
        violations.add(
            "entity "
                + e.entityId()
                + ": machine '"
                + e.machine()
                + "' is not among the definitions given");
        continue;
      }
      checkEntity(e, history, store.outbox(e.entityId()), def, violations);
    }
    return new InvariantReport(entities.size(), attempts, violations);
  }

  private static void checkEntity(
      EntityState e,
      List<Attempt> history,
      List<OutboxEntry> outbox,
      MachineDefinition def,
      List<String> violations) {
    String id = "entity " + e.entityId();
    String state =
        def != null
            ? def.initial()
            : history.stream()
                .filter(a -> a.outcome() == Outcome.TRANSITIONED)
                .map(Attempt::from)
                .findFirst()
                .orElse(e.state());
    long expectedVersion = 0;
    Set<Long> transitionedVersions = new HashSet<>();
    for (Attempt a : history) {
      if (a.outcome() != Outcome.TRANSITIONED) {
        continue;
      }
      expectedVersion++;
      transitionedVersions.add(a.version());
      if (a.version() != expectedVersion) {
        violations.add(
            id + ": transition #" + expectedVersion + " is logged with version " + a.version());
      }
      if (!state.equals(a.from())) {
        violations.add(
            id + ": version " + a.version() + " left " + a.from() + " but replay is in " + state);
      }
      Optional<Transition> t = def == null ? Optional.empty() : def.transition(a.from(), a.event());
      if (def != null && (t.isEmpty() || !t.get().to().equals(a.to()))) {
        violations.add(
            id
                + ": version "
                + a.version()
                + " "
                + a.from()
                + " --"
                + a.event()
                + "--> "
                + a.to()
                + " is not a transition of machine "
                + def.name());
      }
      state = a.to();
    }
    if (e.version() != expectedVersion) {
      violations.add(
          id
              + ": version "
              + e.version()
              + " but "
              + expectedVersion
              + " TRANSITIONED attempts logged");
    }
    if (!e.state().equals(state)) {
      violations.add(id + ": state " + e.state() + " but replaying the log gives " + state);
    }
    for (OutboxEntry o : outbox) {
      if (!transitionedVersions.contains(o.version())) {
        violations.add(
            id
                + ": outbox entry "
                + o.id()
                + " ("
                + o.effect()
                + ") names version "
                + o.version()
                + ", which no TRANSITIONED attempt produced");
      }
    }
  }
}
