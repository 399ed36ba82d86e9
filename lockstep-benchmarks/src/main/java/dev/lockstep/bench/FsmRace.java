package dev.lockstep.bench;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Scenario {@code race} of suite {@code fsm} (no JMH): {@link RaceScenario} for Lockstep in memory,
 * Lockstep on SQLite and Spring Statemachine 4. Lockstep must have exactly one winner per trial and
 * the right final state (checks); Spring's figures are reported as they are.
 */
final class FsmRace {
  static final String SCENARIO = "race";

  private FsmRace() {}

  static void run(Report report, int trials, PrintStream out) throws Exception {
    Map<String, Callable<RaceScenario.Racers>> systems = new LinkedHashMap<>();
    systems.put("lockstep", RaceScenario::lockstepInMemory);
    systems.put("lockstep-sqlite", RaceScenario::lockstepSqlite);
    systems.put("spring", RaceScenario::spring);
    for (Map.Entry<String, Callable<RaceScenario.Racers>> e : systems.entrySet()) {
      String impl = e.getKey();
      long t0 = System.nanoTime();
      RaceScenario.Outcome o;
      try (RaceScenario.Racers racers = e.getValue().call()) {
        o = RaceScenario.run(racers, trials);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      out.printf("%s %s: %s in %.1f s%n", SCENARIO, impl, o, seconds);
      record(report, impl, o);
    }
  }

  /** Adds the row of one system and, for Lockstep, its checks. */
  static void record(Report report, String impl, RaceScenario.Outcome o) {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("trials", o.trials());
    extra.put("racers", "2..10");
    extra.put("multipleWinners", o.multipleWinners());
    extra.put("noWinner", o.noWinner());
    extra.put("wrongFinalState", o.wrongFinalState());
    report.rows.add(new Report.Row(SCENARIO, impl, 10, null, null, null, null, extra));
    if (impl.startsWith("lockstep")) {
      report.check(SCENARIO, impl, "multipleWinners", o.multipleWinners(), "==", 0, "required");
      report.check(SCENARIO, impl, "noWinner", o.noWinner(), "==", 0, "required");
      report.check(SCENARIO, impl, "wrongFinalState", o.wrongFinalState(), "==", 0, "required");
    }
  }
}
