package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite writer's remembered heads ({@link SqliteHeads}) are only a guess that the versioned
 * update checks: a stale head never decides a fire. Stale heads are planted on the writer thread,
 * as a lost {@code data_version} signal or a missed clear would leave them.
 *
 * <p>Shown to fail: with the fire throwing when the update after a remembered head changes no row
 * (no second decision from a read), {@code aStaleVersionIsDecidedAgainFromARead} got {@code
 * Failed}; with a remembered head deciding NOT_ALLOWED, {@code aHeadThatRefusesIsNeverTrusted} got
 * {@code NotAllowed(THINKING, done)}; with {@link SqliteHeads#startBatch} not checking {@code
 * PRAGMA data_version}, {@code anotherStoresCommitClearsTheHeads} counted one stale head.
 */
class SqliteHeadsTest {
  static final MachineDefinition AGENT = SqliteSharedFileTest.AGENT;

  @TempDir Path dir;

  @Test
  void aStaleVersionIsDecidedAgainFromARead() {
    try (SqliteFsmStore store = SqliteFsmStore.open(dir.resolve("a.db"), SqliteOptions.defaults());
        FsmEngine engine = FsmEngine.builder(store).machine(AGENT).build()) {
      engine.create("agent-turn", "e");
      for (String event : List.of("think", "respond", "error", "think")) {
        assertTrue(
            engine.fire("agent-turn", "e", event, Map.of()) instanceof FireResult.Transitioned);
      }
      plant(store, "e", "THINKING", 1); // the right state, an old version: allows `respond`
      assertEquals(
          new FireResult.Transitioned("THINKING", "RESPONDING", 5),
          engine.fire("agent-turn", "e", "respond", Map.of()));
      assertEquals(1, stale(store));
      assertEquals(5, engine.history("e").size());
      FsmInvariants.check(store, List.of(AGENT)).assertOk();
    }
  }

  @Test
  void aHeadThatRefusesIsNeverTrusted() {
    try (SqliteFsmStore store = SqliteFsmStore.open(dir.resolve("b.db"), SqliteOptions.defaults());
        FsmEngine engine = FsmEngine.builder(store).machine(AGENT).build()) {
      engine.create("agent-turn", "e");
      engine.fire("agent-turn", "e", "think", Map.of());
      engine.fire("agent-turn", "e", "respond", Map.of());
      plant(store, "e", "THINKING", 2); // a wrong state that refuses `done`
      assertEquals(
          new FireResult.Transitioned("RESPONDING", "IDLE", 3),
          engine.fire("agent-turn", "e", "done", Map.of()));
      FsmInvariants.check(store, List.of(AGENT)).assertOk();
    }
  }

  @Test
  void anotherStoresCommitClearsTheHeads() {
    Path db = dir.resolve("shared.db");
    try (SqliteFsmStore sa = SqliteFsmStore.open(db, SqliteOptions.defaults());
        SqliteFsmStore sb = SqliteFsmStore.open(db, SqliteOptions.defaults());
        FsmEngine a = FsmEngine.builder(sa).machine(AGENT).build();
        FsmEngine b = FsmEngine.builder(sb).machine(AGENT).build()) {
      a.create("agent-turn", "e");
      a.fire("agent-turn", "e", "think", Map.of()); // A remembers THINKING v1
      b.fire("agent-turn", "e", "respond", Map.of());
      // `error` is allowed from THINKING too: A's head would be tried, and found stale
      assertEquals(
          new FireResult.Transitioned("RESPONDING", "IDLE", 3),
          a.fire("agent-turn", "e", "error", Map.of()));
      assertEquals(0, stale(sa));
      FsmInvariants.check(sa, List.of(AGENT)).assertOk();
    }
  }

  /** Puts a head into the writer's memory, on the writer thread. */
  private static void plant(SqliteFsmStore store, String id, String state, long version) {
    store
        .writer()
        .submit(
            "plant",
            (c, rows) -> {
              c.heads.clear();
              c.heads.put(id, "agent-turn", state, version);
              return null;
            });
  }

  private static long stale(SqliteFsmStore store) {
    return store.writer().submit("stale", (c, rows) -> c.heads.stale());
  }
}
