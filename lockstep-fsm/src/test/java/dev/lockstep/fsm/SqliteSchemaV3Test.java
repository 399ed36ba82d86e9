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
 * Schema V3 rebuilds the attempt log without {@code AUTOINCREMENT} and indexes attempt ids in bulk
 * ({@code fsm_attempt_by_id}). A version-2 file with data keeps every row and its {@code seq}, its
 * history, its lookups by attempt id (indexed rows and the unindexed tail) and its invariants, and
 * new rows get larger {@code seq}s than every old one.
 *
 * <p>Shown to fail: with the migration copying the rows without their {@code seq} (renumbered 1, 2,
 * 3, …), the rows differ and history lost entity a's indexed attempts; without filling {@code
 * fsm_attempt_by_id}, the lookup of an indexed attempt found nothing.
 */
class SqliteSchemaV3Test {
  static final MachineDefinition AGENT = SqliteSharedFileTest.AGENT;
  static final String[] CYCLE = {"think", "respond", "done"};
  static final String[] STATES = {"IDLE", "THINKING", "RESPONDING"};
  static final String COLUMNS =
      "seq, attempt_id, at_ns, machine, entity_id, event, from_state, to_state, guard,"
          + " guard_result, outcome, error, version";

  @TempDir Path dir;

  /**
   * A version-2 file: entity a with 7 transitions and one NOT_ALLOWED row, b with 5, seqs with gaps
   * (10, 20, …), the first 8 rows indexed by entity (the V2 script does it), the rest an unindexed
   * tail; one outbox row.
   */
  private static void writeVersion2File(Path db) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode=WAL");
      for (String s : SqlResources.script("V1__schema.sql")) {
        st.execute(s);
      }
      st.execute("CREATE TABLE lockstep_fsm_schema (version INTEGER NOT NULL)");
      st.execute("INSERT INTO lockstep_fsm_schema VALUES (2)");
      long seq = 0;
      int[] version = new int[2];
      for (int k = 0; k < 13; k++) {
        if (k == 8) { // the V2 script indexes the rows so far: the rest is the tail
          for (String s : SqlResources.script("V2__attempt_index_in_bulk.sql")) {
            st.execute(s);
          }
        }
        int e = k % 2;
        seq += 10;
        if (k == 5) {
          insertAttempt(c, seq, "a", "nope", STATES[version[0] % 3], null, version[0]);
          continue;
        }
        int v = version[e]++;
        insertAttempt(
            c, seq, e == 0 ? "a" : "b", CYCLE[v % 3], STATES[v % 3], STATES[(v + 1) % 3], v);
      }
      for (int e = 0; e < 2; e++) {
        st.execute(
            "INSERT INTO fsm_entity VALUES ('"
                + (e == 0 ? "a" : "b")
                + "', 'agent-turn', '"
                + STATES[version[e] % 3]
                + "', "
                + version[e]
                + ", '{}', 0, 0)");
      }
      st.execute(
          "INSERT INTO fsm_outbox (machine, entity_id, version, effect, event, from_state,"
              + " to_state, payload, next_ns, dispatched_ns) VALUES ('agent-turn', 'a', 1,"
              + " 'notify', 'think', 'IDLE', 'THINKING', '{}', 0, 5)");
    }
  }

  private static void insertAttempt(
      Connection c, long seq, String entity, String event, String from, String to, int fromVersion)
      throws Exception {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO fsm_attempt (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      boolean moved = to != null;
      ps.setLong(1, seq);
      ps.setLong(2, 1000 + seq); // attempt id
      ps.setLong(3, seq * 1_000_000L);
      ps.setString(4, "agent-turn");
      ps.setString(5, entity);
      ps.setString(6, event);
      ps.setString(7, from);
      ps.setString(8, to);
      ps.setString(9, null);
      ps.setString(10, "NONE");
      ps.setString(11, moved ? "TRANSITIONED" : "NOT_ALLOWED");
      ps.setString(12, null);
      ps.setLong(13, moved ? fromVersion + 1 : fromVersion);
      ps.executeUpdate();
    }
  }

  @Test
  void aVersion2FileIsRebuiltKeepingEveryRowAndSeq() throws Exception {
    Path db = dir.resolve("v2.db");
    writeVersion2File(db);
    List<List<Object>> before = rows(db, "SELECT " + COLUMNS + " FROM fsm_attempt ORDER BY seq");
    long oldMax = (Long) before.get(before.size() - 1).get(0);
    assertEquals(13, before.size());
    try (SqliteFsmStore store = SqliteFsmStore.open(db, SqliteOptions.defaults());
        FsmEngine engine = FsmEngine.builder(store).machine(AGENT).build()) {
      assertEquals(before, rows(db, "SELECT " + COLUMNS + " FROM fsm_attempt ORDER BY seq"));
      List<Attempt> ha = store.history("a");
      assertEquals(8, ha.size(), "a: 7 transitions and one NOT_ALLOWED, " + ha);
      assertEquals(5, store.history("b").size());
      for (List<Object> row : before) { // indexed rows (seq <= 80) and the tail
        String entity = (String) row.get(4);
        long id = (Long) row.get(1);
        Attempt found = store.attempt(entity, id).orElseThrow(() -> new AssertionError(row));
        assertEquals(found, store.attempt(found).orElseThrow());
        assertTrue(store.attempt(entity.equals("a") ? "b" : "a", id).isEmpty());
      }
      FsmInvariants.check(store, List.of(AGENT)).assertOk();
      for (int k = 0; k < 3; k++) {
        assertInstanceOf(
            FireResult.Transitioned.class,
            engine.fire("agent-turn", "a", CYCLE[(7 + k) % 3], Map.of()));
      }
      FsmInvariants.check(store, List.of(AGENT)).assertOk();
      assertEquals(11, store.history("a").size());
    }
    List<List<Object>> after = rows(db, "SELECT seq FROM fsm_attempt ORDER BY seq");
    assertEquals(16, after.size());
    assertTrue((Long) after.get(13).get(0) > oldMax, "new seqs after the old ones: " + after);
    List<List<Object>> schema =
        rows(
            db,
            "SELECT (SELECT max(version) FROM lockstep_fsm_schema), (SELECT sql FROM"
                + " sqlite_master WHERE name = 'fsm_attempt'), (SELECT count(*) FROM"
                + " sqlite_sequence WHERE name LIKE 'fsm_attempt%'), (SELECT count(*) FROM"
                + " sqlite_master WHERE name = 'fsm_attempt_id'), (SELECT count(*) FROM"
                + " fsm_attempt_by_id), (SELECT upto FROM fsm_attempt_indexed)");
    assertEquals(3L, schema.get(0).get(0));
    assertFalse(((String) schema.get(0).get(1)).contains("AUTOINCREMENT"), "" + schema);
    assertEquals(0L, schema.get(0).get(2), "no sequence row left");
    assertEquals(0L, schema.get(0).get(3), "the per-row id index is gone");
    assertEquals(8L, schema.get(0).get(4), "one id-index row per indexed attempt");
    assertEquals(80L, schema.get(0).get(5));
  }

  @Test
  void theLookupByAttemptIdNeverScansTheWholeLog() throws Exception {
    Path db = dir.resolve("plan.db");
    FsmStore.sqlite(db).close();
    for (String name : List.of("find_attempt", "find_attempt_exact")) {
      List<String> plan = new ArrayList<>();
      for (List<Object> row :
          rows(db, "EXPLAIN QUERY PLAN " + SqlResources.statements().get(name), 1L, "e", 0L, "x")) {
        plan.add((String) row.get(3));
      }
      assertFalse(plan.stream().anyMatch(p -> p.matches("SCAN fsm_attempt( .*)?")), "" + plan);
      assertTrue(plan.stream().anyMatch(p -> p.contains("fsm_attempt_by_id")), "" + plan);
    }
  }

  /** Every row {@code sql} returns, its columns as objects (integers as Long). */
  static List<List<Object>> rows(Path db, String sql, Object... params) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length && i < ps.getParameterMetaData().getParameterCount(); i++) {
        ps.setObject(i + 1, params[i]);
      }
      List<List<Object>> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<Object> row = new ArrayList<>();
          for (int i = 1; i <= n; i++) {
            Object o = rs.getObject(i);
            row.add(o instanceof Integer x ? Long.valueOf(x) : o);
          }
          out.add(row);
        }
      }
      return out;
    }
  }
}
