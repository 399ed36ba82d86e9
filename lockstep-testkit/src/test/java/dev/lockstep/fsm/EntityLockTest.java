package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockstep.testkit.ThreadKind;
import dev.lockstep.testkit.fsm.FsmInvariantChecker;
import dev.lockstep.testkit.fsm.FsmRaceHarness;
import dev.lockstep.testkit.fsm.FsmStoreContract;
import dev.lockstep.testkit.fsm.RaceReport;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * With the in-process entity lock, fires on one entity in one JVM queue instead of racing: the
 * losers read the winner's state and are NOT_ALLOWED, never CONFLICT (no wasted guard or commit).
 */
class EntityLockTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  void lockedFiresNeverConflict(ThreadKind kind) {
    try (FsmStore store = FsmStore.sqlite(dir.resolve("lock.db"));
        FsmEngine engine =
            FsmEngine.builder(store)
                .machine(FsmStoreContract.JOB)
                .entityLock(true)
                .dispatchEffects(false)
                .build()) {
      for (int round = 0; round < 5; round++) {
        engine.create("job", "e" + round);
        RaceReport r =
            FsmRaceHarness.on(engine, "job").threadKind(kind).raceOne("e" + round, "start", 16);
        r.assertOneWinner();
        assertEquals(15, r.count(Outcome.NOT_ALLOWED), r.counts().toString());
      }
      FsmInvariantChecker.check(store, List.of(FsmStoreContract.JOB)).assertOk();
    }
  }
}
