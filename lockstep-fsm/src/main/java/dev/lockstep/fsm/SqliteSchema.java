package dev.lockstep.fsm;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Creates and migrates the schema on open, in one {@code BEGIN IMMEDIATE} transaction, so that two
 * processes opening a new file at once migrate it once. The version lives in {@code
 * lockstep_fsm_schema}; a file whose version is newer than this code knows is refused.
 */
final class SqliteSchema {
  private SqliteSchema() {}

  static void migrate(SqliteConnection c, Path file) throws SQLException {
    c.exec("BEGIN IMMEDIATE");
    boolean done = false;
    try {
      c.exec("CREATE TABLE IF NOT EXISTS lockstep_fsm_schema (version INTEGER NOT NULL)");
      int current = currentVersion(c);
      int latest = SqlResources.MIGRATIONS.size();
      if (current > latest) {
        throw new FsmStoreException(
            file
                + ": schema version "
                + current
                + " is newer than this Lockstep knows ("
                + latest
                + "); upgrade Lockstep");
      }
      for (int v = current + 1; v <= latest; v++) {
        for (String statement : SqlResources.script(SqlResources.MIGRATIONS.get(v - 1))) {
          c.exec(statement);
        }
        c.exec("DELETE FROM lockstep_fsm_schema");
        c.exec("INSERT INTO lockstep_fsm_schema (version) VALUES (" + v + ")");
      }
      c.exec("COMMIT");
      done = true;
    } finally {
      if (!done) {
        c.exec("ROLLBACK");
      }
    }
  }

  static int currentVersion(SqliteConnection c) throws SQLException {
    try (ResultSet rs = c.ps("schema_version").executeQuery()) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }
}
