package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockstep.testkit.fsm.FsmInvariantChecker;
import dev.lockstep.testkit.fsm.FsmProcessRace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate JVMs racing on one SQLite file ({@link FsmProcessRace}): 4 child processes fire {@code
 * start} at the same entity, round after round; each round must have exactly one {@code
 * TRANSITIONED}, every fire must be in the log, and the invariants must hold. Rounds: {@code
 * -Dlockstep.fsm.childRounds} (default 25).
 *
 * <p>Shown to fail: with {@code -Dlockstep.fsm.brokenChildren=true} the children commit through
 * {@link LostUpdateFsmStore} (commits ignore the version); that run failed with 4 TRANSITIONED in
 * round 0.
 */
class ChildJvmRaceTest {
  private static final int CHILDREN = 4;
  private static final String JOB_YAML =
      """
      name: job
      initial: NEW
      states: [NEW, RUNNING, DONE]
      transitions:
        - {from: NEW, on: start, to: RUNNING}
        - {from: RUNNING, on: finish, to: DONE}
      """;

  @TempDir Path dir;

  @Test
  void childJvmsOnOneFileHaveExactlyOneWinnerPerRound() throws Exception {
    int rounds = Integer.getInteger("lockstep.fsm.childRounds", 25);
    Path db = dir.resolve("race.db");
    Path definition = Files.writeString(dir.resolve("job.yaml"), JOB_YAML);
    MachineDefinition job = MachineDefinition.load(definition);
    try (FsmStore store = FsmStore.sqlite(db);
        FsmEngine engine = FsmEngine.builder(store).machine(job).build()) {
      for (int r = 0; r < rounds; r++) {
        engine.create("job", "e" + r);
      }
    }
    FsmProcessRace race = FsmProcessRace.on(db, definition).processes(CHILDREN).rounds(rounds);
    if (Boolean.getBoolean("lockstep.fsm.brokenChildren")) {
      race.storeWrapper(LostUpdateFsmStore.class.getName());
    }
    race.run("e", "start").assertOneWinnerPerRound();
    try (FsmStore store = FsmStore.sqlite(db)) {
      for (int r = 0; r < rounds; r++) {
        assertEquals(CHILDREN, store.history("e" + r).size(), "attempts logged on e" + r);
        assertEquals(1, store.read("e" + r).orElseThrow().version());
      }
      InvariantReport report = FsmInvariantChecker.check(store, List.of(job));
      report.assertOk();
      assertEquals(rounds, report.entities());
    }
  }
}
