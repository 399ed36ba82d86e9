package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's entity cache (off for fires by default, see {@code SqliteFsmStore.cacheEnabled}):
 * another connection's commit (another store on the file; another process alike) must never turn
 * into a wrong answer or a spurious conflict with the default settings.
 *
 * <p>Shown to fail: with the {@code data_version} check removed from {@code SqliteWriter.begin},
 * store A answered its third fire {@code Conflict(1, 2)} and logged a CONFLICT row; with the engine
 * trusting a cached read that ends in NOT_ALLOWED (its {@code stillCurrent} check always true), B's
 * {@code think} (cached RESPONDING, really IDLE) was answered NotAllowed.
 */
class SqliteEntityCacheTest {
  static final MachineDefinition AGENT =
      MachineDefinition.builder("agent-turn")
          .states("IDLE", "THINKING", "RESPONDING")
          .initial("IDLE")
          .transition(t -> t.from("IDLE").on("think").to("THINKING"))
          .transition(t -> t.from("THINKING").on("respond").to("RESPONDING"))
          .transition(t -> t.from("RESPONDING").on("done").to("IDLE"))
          .transition(t -> t.from("THINKING", "RESPONDING").on("error").to("IDLE"))
          .build();

  @TempDir Path dir;

  @Test
  void anotherConnectionsCommitIsNeverHiddenByTheCache() {
    Path db = dir.resolve("shared.db");
    try (FsmStore storeA = FsmStore.sqlite(db);
        FsmStore storeB = FsmStore.sqlite(db);
        FsmEngine a = FsmEngine.builder(storeA).machine(AGENT).build();
        FsmEngine b = FsmEngine.builder(storeB).machine(AGENT).build()) {
      a.create("agent-turn", "e");
      assertEquals(
          new FireResult.Transitioned("IDLE", "THINKING", 1),
          a.fire("agent-turn", "e", "think", Map.of())); // A's cache: THINKING v1
      assertEquals(
          new FireResult.Transitioned("THINKING", "RESPONDING", 2),
          b.fire("agent-turn", "e", "respond", Map.of()));
      // allowed from THINKING and RESPONDING: a stale cached read would commit against v1
      assertEquals(
          new FireResult.Transitioned("RESPONDING", "IDLE", 3),
          a.fire("agent-turn", "e", "error", Map.of()));
      List<Attempt> history = a.history("e");
      assertEquals(3, history.size(), history.toString());
      assertTrue(history.stream().allMatch(x -> x.outcome() == Outcome.TRANSITIONED), "" + history);
      // and a rule only the fresh state allows
      assertEquals(
          new FireResult.Transitioned("THINKING", "RESPONDING", 5),
          fireAfter(a, b, "think", "respond"));
    }
  }

  /**
   * The cache learns a commit before its caller hears of it, so a caller's next fire reads its own
   * write. Shown to fail: with {@code SqliteWriter} answering the callers first and updating the
   * cache 1 ms later, the first check saw the previous version.
   */
  @Test
  void aCallerAlwaysReadsItsOwnCommitFromTheCache() {
    try (SqliteFsmStore store =
            SqliteFsmStore.open(dir.resolve("own.db"), SqliteOptions.defaults());
        FsmEngine engine = FsmEngine.builder(store).machine(AGENT).build()) {
      engine.create("agent-turn", "e");
      String[] cycle = {"think", "respond", "done"};
      for (int i = 0; i < 60; i++) {
        FireResult r = engine.fire("agent-turn", "e", cycle[i % 3], Map.of());
        long version = ((FireResult.Transitioned) r).version();
        assertEquals(version, store.writer().cache().get("e").version(), "after fire " + i);
      }
    }
  }

  /** B fires {@code first}, then A fires {@code second}, which only B's result allows. */
  private static FireResult fireAfter(FsmEngine a, FsmEngine b, String first, String second) {
    assertTrue(b.fire("agent-turn", "e", first, Map.of()) instanceof FireResult.Transitioned);
    return a.fire("agent-turn", "e", second, Map.of());
  }
}
