package dev.lockstep.testkit.fsm;

import dev.lockstep.fsm.FireResult;
import dev.lockstep.fsm.Outcome;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What an {@link FsmRaceHarness} run saw: every fire's result, the counts per outcome, and how many
 * attempts the store logged during the run, per entity.
 *
 * @param results each fire's result, by fire index
 * @param entities the entity each fire targeted, by fire index
 * @param loggedPerEntity attempts each entity's history gained during the run
 * @param errors fires that threw instead of returning a result (always a bug)
 */
public record RaceReport(
    List<FireResult> results,
    List<String> entities,
    Map<String, Integer> loggedPerEntity,
    List<Throwable> errors) {

  /** Copies the lists. */
  public RaceReport {
    results = List.copyOf(results);
    entities = List.copyOf(entities);
    loggedPerEntity = Map.copyOf(loggedPerEntity);
    errors = List.copyOf(errors);
  }

  /** Returns how many fires had each outcome. */
  public Map<Outcome, Integer> counts() {
    Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
    for (FireResult r : results) {
      counts.merge(r.outcome(), 1, Integer::sum);
    }
    return counts;
  }

  /** Returns how many fires had {@code outcome}. */
  public int count(Outcome outcome) {
    return counts().getOrDefault(outcome, 0);
  }

  /** Returns how many fires on {@code entityId} transitioned. */
  public int transitioned(String entityId) {
    int n = 0;
    for (int i = 0; i < results.size(); i++) {
      if (entities.get(i).equals(entityId) && results.get(i) instanceof FireResult.Transitioned) {
        n++;
      }
    }
    return n;
  }

  /**
   * Returns the violations of "one event raced on one entity": exactly one {@code Transitioned},
   * every other fire a {@code Conflict} or {@code NotAllowed}, all of them logged. Empty when
   * clean.
   */
  public List<String> oneWinnerViolations() {
    List<String> v = new ArrayList<>(common());
    for (String e : loggedPerEntity.keySet()) {
      int won = transitioned(e);
      if (won != 1) {
        v.add("entity " + e + ": " + won + " fires transitioned, expected exactly 1");
      }
    }
    for (int i = 0; i < results.size(); i++) {
      FireResult r = results.get(i);
      if (!(r instanceof FireResult.Transitioned
          || r instanceof FireResult.Conflict
          || r instanceof FireResult.NotAllowed)) {
        v.add("fire " + i + " on " + entities.get(i) + ": unexpected " + r);
      }
    }
    return v;
  }

  /**
   * Returns the violations of "each fire on its own entity": every fire transitioned and logged.
   */
  public List<String> allTransitionedViolations() {
    List<String> v = new ArrayList<>(common());
    for (int i = 0; i < results.size(); i++) {
      if (!(results.get(i) instanceof FireResult.Transitioned)) {
        v.add("fire " + i + " on " + entities.get(i) + ": " + results.get(i));
      }
    }
    return v;
  }

  private List<String> common() {
    List<String> v = new ArrayList<>();
    for (Throwable t : errors) {
      v.add("a fire threw " + t);
    }
    Map<String, Integer> fired = new java.util.HashMap<>();
    entities.forEach(e -> fired.merge(e, 1, Integer::sum));
    fired.forEach(
        (e, n) -> {
          int logged = loggedPerEntity.getOrDefault(e, 0);
          if (logged != n) {
            v.add("entity " + e + ": " + n + " fires but " + logged + " attempts logged");
          }
        });
    return v;
  }

  /** Throws an {@link AssertionError} listing {@link #oneWinnerViolations()}, if any. */
  public RaceReport assertOneWinner() {
    List<String> v = oneWinnerViolations();
    if (!v.isEmpty()) {
      throw new AssertionError("race on one entity violated: " + v + "; counts " + counts());
    }
    return this;
  }

  /** Throws an {@link AssertionError} listing {@link #allTransitionedViolations()}, if any. */
  public RaceReport assertAllTransitioned() {
    List<String> v = allTransitionedViolations();
    if (!v.isEmpty()) {
      throw new AssertionError("fires on distinct entities violated: " + v);
    }
    return this;
  }
}
