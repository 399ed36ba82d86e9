package dev.lockstep.fsm;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's upkeep of the attempt log's per-entity index (schema V2): every so many attempt rows
 * it copies {@code (entity_id, seq)} of the rows past {@code fsm_attempt_indexed.upto} into {@code
 * fsm_attempt_by_entity} in one sorted insert; moving {@code upto} fires the trigger that indexes
 * the same rows by attempt id (schema V3). Used only by the {@link SqliteWriter} thread, after the
 * callers of a batch were answered, on the writer's connection.
 */
final class SqliteAttemptIndexer {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteAttemptIndexer.class);

  /**
   * Attempt rows past {@code fsm_attempt_indexed.upto} (written by any process) at which the writer
   * copies them into {@code fsm_attempt_by_entity} (schema V2): one sorted bulk insert then touches
   * each entity's index leaf once instead of once per batch. History scans at most about this many
   * unindexed rows. Read when a store opens; tests may lower it.
   */
  static volatile int indexAttemptsEvery = 2048;

  /** Attempt rows this writer writes between two looks at how many rows are unindexed. */
  static final int INDEX_CHECK_EVERY = 256;

  private final Path file;
  private final SqliteConnection connection;
  private final int indexEvery = indexAttemptsEvery;
  private long sinceCheck = INDEX_CHECK_EVERY; // look at the first batch: the tail may be long

  SqliteAttemptIndexer(Path file, SqliteConnection connection) {
    this.file = file;
    this.connection = connection;
  }

  /** The writer wrote {@code rows} attempt rows; indexes when it is time to look. */
  void written(long rows) {
    sinceCheck += rows;
    if (sinceCheck >= INDEX_CHECK_EVERY) {
      sinceCheck = 0;
      indexNow();
    }
  }

  /**
   * When at least {@link #indexAttemptsEvery} attempt rows are past {@code
   * fsm_attempt_indexed.upto}, indexes them by entity in a transaction of its own (every row up to
   * the largest {@code seq}, in entity order, then moves {@code upto}). A failure changes nothing
   * and is retried later: the rows stay readable through history's scan of the unindexed tail.
   */
  private void indexNow() {
    try {
      if (unindexed() < indexEvery) {
        return;
      }
      connection.exec("BEGIN IMMEDIATE");
      boolean done = false;
      try {
        long[] range = indexRange();
        if (range[1] - range[0] >= indexEvery) {
          PreparedStatement ins = connection.ps("index_attempts");
          ins.setLong(1, range[0]);
          ins.setLong(2, range[1]);
          ins.executeUpdate();
          PreparedStatement up = connection.ps("attempts_indexed");
          up.setLong(1, range[1]);
          up.executeUpdate();
        }
        connection.exec("COMMIT");
        done = true;
      } finally {
        if (!done) {
          connection.exec("ROLLBACK");
        }
      }
    } catch (SQLException e) {
      LOG.debug("indexing the attempt log of {} failed, retried later: {}", file, e.toString());
    }
  }

  private long unindexed() throws SQLException {
    long[] r = indexRange();
    return r[1] - r[0];
  }

  /** {@code upto} and the largest {@code seq}. */
  private long[] indexRange() throws SQLException {
    try (ResultSet rs = connection.ps("attempts_unindexed").executeQuery()) {
      return rs.next() ? new long[] {rs.getLong(1), rs.getLong(2)} : new long[] {0, 0};
    }
  }
}
