package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.ThreadKind;
import dev.lockstep.testkit.fsm.FsmInvariantChecker;
import dev.lockstep.testkit.fsm.FsmRaceHarness;
import dev.lockstep.testkit.fsm.FsmStoreContract;
import dev.lockstep.testkit.fsm.RaceReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The race harness and the invariant checker can fail: on {@link LostUpdateFsmStore} (commits that
 * ignore the version, over the real memory and SQLite stores) racing fires transition more than
 * once, and replaying the log finds transitions that left a state the entity was no longer in.
 */
class BrokenStoreDetectionTest {
  @TempDir static Path dir;

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    Function<Integer, FsmStore> memory = i -> FsmStore.inMemory();
    Function<Integer, FsmStore> sqlite = i -> FsmStore.sqlite(dir.resolve("broken" + i + ".db"));
    int i = 0;
    for (ThreadKind kind : ThreadKind.values()) {
      out.add(Arguments.of("memory", memory, kind, i++));
      out.add(Arguments.of("sqlite", sqlite, kind, i++));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("cases")
  void lostUpdatesAreCaught(
      String name, Function<Integer, FsmStore> open, ThreadKind kind, int index) {
    try (FsmStore store = new LostUpdateFsmStore(open.apply(index));
        FsmEngine engine =
            FsmEngine.builder(store).machine(FsmStoreContract.JOB).dispatchEffects(false).build()) {
      boolean caught = false;
      for (int round = 0; round < 5 && !caught; round++) {
        engine.create("job", "e" + round);
        RaceReport r =
            FsmRaceHarness.on(engine, "job").threadKind(kind).raceOne("e" + round, "start", 8);
        caught = !r.oneWinnerViolations().isEmpty();
      }
      assertTrue(caught, "the race harness never saw two winners on a lost-update store");
      InvariantReport report = FsmInvariantChecker.check(store, List.of(FsmStoreContract.JOB));
      assertFalse(report.ok(), "the invariant checker found nothing on a lost-update store");
      assertFalse(FsmInvariantChecker.check(store).ok(), "nothing found without definitions");
      assertTrue(
          report.violations().stream().anyMatch(v -> v.contains("replay is in")),
          report.violations().toString());
    }
  }
}
