package dev.lockstep.testkit.fsm;

import dev.lockstep.fsm.Outcome;
import java.util.ArrayList;
import java.util.List;

/**
 * What an {@link FsmProcessRace} saw: for each round (entity), the outcome each child JVM got.
 *
 * @param outcomes {@code outcomes.get(round).get(child)}: the outcome of that child's fire
 * @param output every line each child printed, for diagnosis
 */
public record ProcessRaceReport(List<List<Outcome>> outcomes, List<List<String>> output) {

  /** Copies the lists. */
  public ProcessRaceReport {
    outcomes = outcomes.stream().map(List::copyOf).toList();
    output = output.stream().map(List::copyOf).toList();
  }

  static ProcessRaceReport parse(int rounds, List<List<String>> childOutput) {
    List<List<Outcome>> outcomes = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      outcomes.add(new ArrayList<>());
    }
    for (List<String> lines : childOutput) {
      for (String l : lines) {
        String[] f = l.split(" ");
        if (f.length == 2 && !f[0].isEmpty() && f[0].chars().allMatch(Character::isDigit)) {
          outcomes.get(Integer.parseInt(f[0])).add(Outcome.valueOf(f[1]));
        }
      }
    }
    return new ProcessRaceReport(outcomes, childOutput);
  }

  /** Returns how many children transitioned in {@code round}. */
  public int winners(int round) {
    return (int) outcomes.get(round).stream().filter(o -> o == Outcome.TRANSITIONED).count();
  }

  /**
   * Returns the violations: a round without exactly one {@code TRANSITIONED}, a fire whose outcome
   * is neither that nor {@code CONFLICT} / {@code NOT_ALLOWED}, a child that did not report a fire.
   */
  public List<String> violations() {
    List<String> v = new ArrayList<>();
    for (int r = 0; r < outcomes.size(); r++) {
      List<Outcome> round = outcomes.get(r);
      if (round.size() != output.size()) {
        v.add("round " + r + ": " + round.size() + " of " + output.size() + " children reported");
      }
      if (winners(r) != 1) {
        v.add("round " + r + ": " + winners(r) + " TRANSITIONED across the JVMs, expected 1");
      }
      for (Outcome o : round) {
        if (o != Outcome.TRANSITIONED && o != Outcome.CONFLICT && o != Outcome.NOT_ALLOWED) {
          v.add("round " + r + ": unexpected " + o);
        }
      }
    }
    return v;
  }

  /** Throws an {@link AssertionError} listing the violations, if any. */
  public ProcessRaceReport assertOneWinnerPerRound() {
    List<String> v = violations();
    if (!v.isEmpty()) {
      throw new AssertionError("race across JVMs violated: " + v);
    }
    return this;
  }
}
