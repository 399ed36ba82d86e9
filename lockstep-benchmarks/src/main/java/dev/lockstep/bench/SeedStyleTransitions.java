package dev.lockstep.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The seeds' SQLite state-machine design, plainly (suite {@code fsm}, impl {@code seed-style}): a
 * new connection per transition, {@code BEGIN IMMEDIATE}, read the entity, conditional {@code
 * UPDATE … WHERE id=? AND version=?}, insert an attempt-log row, {@code COMMIT}, close.
 *
 * <p>Entities cycle IDLE → THINKING → RESPONDING → IDLE, so every call is one real transition.
 */
final class SeedStyleTransitions {
  private static final String[][] CYCLE = {
    {"IDLE", "think", "THINKING"},
    {"THINKING", "respond", "RESPONDING"},
    {"RESPONDING", "done", "IDLE"}
  };

  private final String url;
  private final String synchronous;

  /**
   * Creates the schema in {@code db} (WAL) with {@code entities} entities named {@code e0…}.
   *
   * @param synchronous SQLite's {@code synchronous} pragma: FULL or NORMAL
   */
  SeedStyleTransitions(Path db, String synchronous, int entities) throws SQLException {
    this.url = "jdbc:sqlite:" + db;
    this.synchronous = synchronous;
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute(
          "CREATE TABLE IF NOT EXISTS entity (id TEXT PRIMARY KEY, state TEXT NOT NULL,"
              + " version INTEGER NOT NULL)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS attempt (id INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT,"
              + " event TEXT, from_state TEXT, to_state TEXT, outcome TEXT, at INTEGER)");
      try (PreparedStatement p =
          c.prepareStatement("INSERT OR IGNORE INTO entity VALUES (?, 'IDLE', 0)")) {
        for (int i = 0; i < entities; i++) {
          p.setString(1, "e" + i);
          p.executeUpdate();
        }
      }
    }
  }

  /** Fires the next event of entity {@code id}'s cycle; returns true when it transitioned. */
  boolean fireNext(String id) throws SQLException {
    try (Connection c = DriverManager.getConnection(url)) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout=10000");
        s.execute("PRAGMA synchronous=" + synchronous);
        s.execute("BEGIN IMMEDIATE");
      }
      boolean ok = false;
      try {
        String state;
        long version;
        try (PreparedStatement p =
            c.prepareStatement("SELECT state, version FROM entity WHERE id = ?")) {
          p.setString(1, id);
          try (ResultSet r = p.executeQuery()) {
            if (!r.next()) {
              throw new SQLException("no entity " + id);
            }
            state = r.getString(1);
            version = r.getLong(2);
          }
        }
        String[] step = step(state);
        int updated;
        try (PreparedStatement p =
            c.prepareStatement(
                "UPDATE entity SET state = ?, version = version + 1 WHERE id = ? AND version = ?")) {
          p.setString(1, step[2]);
          p.setString(2, id);
          p.setLong(3, version);
          updated = p.executeUpdate();
        }
        try (PreparedStatement p =
            c.prepareStatement(
                "INSERT INTO attempt (entity, event, from_state, to_state, outcome, at)"
                    + " VALUES (?, ?, ?, ?, ?, ?)")) {
          p.setString(1, id);
          p.setString(2, step[1]);
          p.setString(3, state);
          p.setString(4, step[2]);
          p.setString(5, updated == 1 ? "transitioned" : "conflict");
          p.setLong(6, System.currentTimeMillis());
          p.executeUpdate();
        }
        try (Statement s = c.createStatement()) {
          s.execute("COMMIT");
        }
        ok = updated == 1;
        return ok;
      } catch (SQLException | RuntimeException e) {
        try (Statement s = c.createStatement()) {
          s.execute("ROLLBACK");
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }
  }

  private static String[] step(String state) {
    for (String[] s : CYCLE) {
      if (s[0].equals(state)) {
        return s;
      }
    }
    throw new IllegalStateException("unknown state " + state);
  }
}
