package dev.lockstep.fsm;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The attempt-log and outbox rows the operations of one write batch produce. Deferred (the fast
 * path), rows are buffered in operation order and written just before COMMIT with one multi-row
 * {@code INSERT} per table, so the log's {@code seq} and the outbox ids keep the operations' order;
 * immediate (the exact path, one savepoint per operation), each row is inserted at once, so that a
 * failing operation's rows roll back with it. Writer thread only.
 */
final class SqliteBatchRows {
  /** The most rows one multi-row INSERT carries (12 parameters each, well under SQLite's limit). */
  static final int CHUNK = 64;

  /** One outbox row, bound as the 9 parameters of {@code insert_outbox}. */
  record OutboxRow(
      String machine,
      String entityId,
      long version,
      String effect,
      String event,
      String from,
      String to,
      String payloadJson,
      long nextNs) {}

  private final List<Attempt> attempts = new ArrayList<>();
  private final List<OutboxRow> outbox = new ArrayList<>();
  private SqliteConnection connection;
  private boolean deferred;
  private long attemptsWritten;

  /**
   * Starts a batch on {@code c}: rows are buffered when {@code deferred}, else inserted at once.
   */
  void begin(SqliteConnection c, boolean deferred) {
    this.connection = c;
    this.deferred = deferred;
    attempts.clear();
    outbox.clear();
  }

  void attempt(Attempt a) throws SQLException {
    if (deferred) {
      attempts.add(a);
    } else {
      PreparedStatement ps = connection.ps("insert_attempt");
      SqliteRows.bindAttempt(ps, 0, a);
      ps.executeUpdate();
      attemptsWritten++;
    }
  }

  /**
   * Returns how many attempt rows were written since the last call (committed or not: a count for
   * deciding when to index them, see {@link SqliteWriter}), and starts counting again.
   */
  long takeAttemptsWritten() {
    long n = attemptsWritten;
    attemptsWritten = 0;
    return n;
  }

  void outbox(OutboxRow r) throws SQLException {
    if (deferred) {
      outbox.add(r);
    } else {
      PreparedStatement ps = connection.ps("insert_outbox");
      bindOutbox(ps, 0, r);
      ps.executeUpdate();
    }
  }

  /** Writes the buffered rows (deferred mode); a no-op in immediate mode. */
  void flush() throws SQLException {
    for (int i = 0; i < attempts.size(); i += CHUNK) {
      int n = Math.min(CHUNK, attempts.size() - i);
      PreparedStatement ps = connection.psRows("insert_attempt", n);
      for (int k = 0; k < n; k++) {
        SqliteRows.bindAttempt(ps, k * SqliteRows.ATTEMPT_COLUMNS, attempts.get(i + k));
      }
      ps.executeUpdate();
    }
    for (int i = 0; i < outbox.size(); i += CHUNK) {
      int n = Math.min(CHUNK, outbox.size() - i);
      PreparedStatement ps = connection.psRows("insert_outbox", n);
      for (int k = 0; k < n; k++) {
        bindOutbox(ps, k * 9, outbox.get(i + k));
      }
      ps.executeUpdate();
    }
    attemptsWritten += attempts.size();
    attempts.clear();
    outbox.clear();
  }

  private static void bindOutbox(PreparedStatement ps, int at, OutboxRow r) throws SQLException {
    ps.setString(at + 1, r.machine());
    ps.setString(at + 2, r.entityId());
    ps.setLong(at + 3, r.version());
    ps.setString(at + 4, r.effect());
    ps.setString(at + 5, r.event());
    ps.setString(at + 6, r.from());
    ps.setString(at + 7, r.to());
    ps.setString(at + 8, r.payloadJson());
    ps.setLong(at + 9, r.nextNs());
  }
}
