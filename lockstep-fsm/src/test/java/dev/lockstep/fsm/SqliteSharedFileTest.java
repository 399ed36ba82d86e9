package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two stores on one file (two processes alike): each fire reads what the other committed, never a
 * stale state. (The writer once kept an entity cache for fires' pre-reads; it was removed. With it
 * serving reads and its {@code data_version} check removed, store A answered its third fire {@code
 * Conflict(1, 2)}; with a cached read trusted for NOT_ALLOWED, B's {@code think} was refused.)
 */
class SqliteSharedFileTest {
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
  void eachStoreFiresAgainstTheOthersCommits() {
    Path db = dir.resolve("shared.db");
    try (FsmStore storeA = FsmStore.sqlite(db);
        FsmStore storeB = FsmStore.sqlite(db);
        FsmEngine a = FsmEngine.builder(storeA).machine(AGENT).build();
        FsmEngine b = FsmEngine.builder(storeB).machine(AGENT).build()) {
      a.create("agent-turn", "e");
      assertEquals(
          new FireResult.Transitioned("IDLE", "THINKING", 1),
          a.fire("agent-turn", "e", "think", Map.of()));
      assertEquals(
          new FireResult.Transitioned("THINKING", "RESPONDING", 2),
          b.fire("agent-turn", "e", "respond", Map.of()));
      // allowed from THINKING and RESPONDING: a stale read would commit against v1
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

  /** B fires {@code first}, then A fires {@code second}, which only B's result allows. */
  private static FireResult fireAfter(FsmEngine a, FsmEngine b, String first, String second) {
    assertTrue(b.fire("agent-turn", "e", first, Map.of()) instanceof FireResult.Transitioned);
    return a.fire("agent-turn", "e", second, Map.of());
  }
}
