package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema V2 indexes the attempt log by entity in bulk ({@code fsm_attempt_by_entity}, up to {@code
 * fsm_attempt_indexed.upto}); history reads the indexed rows and the unindexed tail, in order.
 *
 * <p>Shown to fail: with history reading only {@code fsm_attempt_by_entity}, {@link
 * #theWriterIndexesInBulk} saw 337 of entity a's 400 transitions (and the plan check a full scan);
 * with the writer never indexing, it found nothing indexed; without the trigger that indexes
 * attempt ids when {@code upto} moves (V3), the lookup of entity a's first attempt found nothing.
 */
class SqliteAttemptIndexTest {
  static final MachineDefinition AGENT = SqliteSharedFileTest.AGENT;
  static final String[] CYCLE = {"think", "respond", "done"};

  @TempDir Path dir;

  @Test
  void theWriterIndexesInBulk() throws Exception {
    int every = SqliteAttemptIndexer.indexAttemptsEvery;
    SqliteAttemptIndexer.indexAttemptsEvery = 300;
    Path db = dir.resolve("i.db");
    try (FsmStore store = FsmStore.sqlite(db);
        FsmEngine engine = FsmEngine.builder(store).machine(AGENT).build()) {
      List<String> ids = List.of("a", "b", "c");
      for (String id : ids) {
        engine.create("agent-turn", id);
      }
      int rounds = 400;
      for (int k = 0; k < rounds; k++) {
        for (String id : ids) {
          FireResult r = engine.fire("agent-turn", id, CYCLE[k % 3], Map.of());
          assertInstanceOf(FireResult.Transitioned.class, r);
        }
        if (k % 50 == 0) {
          assertInstanceOf( // not allowed: logged, no version change
              FireResult.NotAllowed.class, engine.fire("agent-turn", "a", "nope", Map.of()));
          assertInstanceOf(FireResult.Failed.class, engine.fire("agent-turn", "x", "go", Map.of()));
        }
      }
      for (String id : ids) {
        List<Attempt> h = engine.history(id);
        List<Attempt> transitions =
            h.stream().filter(a -> a.outcome() == Outcome.TRANSITIONED).toList();
        assertEquals(rounds, transitions.size(), id);
        for (int v = 0; v < rounds; v++) {
          assertEquals(v + 1, transitions.get(v).version(), id + " in order");
        }
        assertEquals(id.equals("a") ? rounds + rounds / 50 : rounds, h.size(), id);
        for (Attempt a : h) { // indexed by id in bulk (V3), or in the tail
          assertEquals(a, store.attempt(a).orElseThrow(() -> new AssertionError("lost " + a)));
        }
      }
      assertEquals(rounds / 50, engine.history("x").size());
      long[] state = indexState(db);
      assertTrue(state[0] >= 900, "indexed up to " + state[0]);
      assertTrue(
          state[1] - state[0] < 300 + SqliteAttemptIndexer.INDEX_CHECK_EVERY, "tail " + state[1]);
      assertEquals(state[0], state[2], "one index row per indexed attempt");
      assertEquals(state[0], state[3], "one id-index row per indexed attempt");
    } finally {
      SqliteAttemptIndexer.indexAttemptsEvery = every;
    }
  }

  @Test
  void historyNeverScansTheWholeLog() throws Exception {
    Path db = dir.resolve("plan.db");
    FsmStore.sqlite(db).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        PreparedStatement ps =
            c.prepareStatement("EXPLAIN QUERY PLAN " + SqlResources.statements().get("history"))) {
      ps.setString(1, "e");
      List<String> plan = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          plan.add(rs.getString(4));
        }
      }
      assertFalse(plan.stream().anyMatch(p -> p.matches("SCAN fsm_attempt( .*)?")), "" + plan);
      assertTrue(
          plan.contains("SEARCH fsm_attempt USING INTEGER PRIMARY KEY (rowid>?)"), "" + plan);
    }
  }

  @Test
  void aVersion1FileIsMigrated() throws Exception {
    Path db = dir.resolve("v1.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      for (String s : SqlResources.script("V1__schema.sql")) {
        st.execute(s);
      }
      st.execute("CREATE TABLE lockstep_fsm_schema (version INTEGER NOT NULL)");
      st.execute("INSERT INTO lockstep_fsm_schema VALUES (1)");
      st.execute("INSERT INTO fsm_entity VALUES ('e', 'agent-turn', 'THINKING', 1, '{}', 0, 0)");
      st.execute(
          "INSERT INTO fsm_attempt (attempt_id, at_ns, machine, entity_id, event, from_state,"
              + " to_state, guard, guard_result, outcome, error, version) VALUES (7, 1,"
              + " 'agent-turn', 'e', 'think', 'IDLE', 'THINKING', NULL, 'NONE', 'TRANSITIONED',"
              + " NULL, 1)");
    }
    try (FsmStore store = FsmStore.sqlite(db);
        FsmEngine engine = FsmEngine.builder(store).machine(AGENT).build()) {
      assertEquals(
          new FireResult.Transitioned("THINKING", "RESPONDING", 2),
          engine.fire("agent-turn", "e", "respond", Map.of()));
      List<Attempt> h = engine.history("e");
      assertEquals(List.of(7L), h.subList(0, 1).stream().map(Attempt::attemptId).toList());
      assertEquals(List.of(1L, 2L), h.stream().map(Attempt::version).toList());
    }
    long[] state = indexState(db);
    assertEquals(1, state[0]);
    assertEquals(1, state[2]);
    long[] schema =
        row(
            db,
            "SELECT (SELECT max(version) FROM lockstep_fsm_schema), (SELECT count(*) FROM"
                + " sqlite_master WHERE name = 'fsm_attempt_entity')");
    assertEquals(SqlResources.MIGRATIONS.size(), schema[0]);
    assertEquals(0, schema[1], "the per-row index is gone");
  }

  /**
   * {@code upto}, the largest {@code seq}, and the rows of {@code fsm_attempt_by_entity} and {@code
   * fsm_attempt_by_id}.
   */
  private static long[] indexState(Path db) throws Exception {
    return row(
        db,
        "SELECT upto, (SELECT max(seq) FROM fsm_attempt), (SELECT count(*) FROM"
            + " fsm_attempt_by_entity), (SELECT count(*) FROM fsm_attempt_by_id) FROM"
            + " fsm_attempt_indexed");
  }

  /** The one row {@code sql} returns, as longs. */
  private static long[] row(Path db, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      assertTrue(rs.next());
      long[] out = new long[rs.getMetaData().getColumnCount()];
      for (int i = 0; i < out.length; i++) {
        out[i] = rs.getLong(i + 1);
      }
      return out;
    }
  }
}
