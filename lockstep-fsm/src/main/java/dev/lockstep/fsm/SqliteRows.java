package dev.lockstep.fsm;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/** Maps rows of the SQLite store to records and back. Times are nanoseconds since the epoch. */
final class SqliteRows {
  private SqliteRows() {}

  static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  static Instant instant(long nanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  /** The parameters of one row of {@code insert_attempt}. */
  static final int ATTEMPT_COLUMNS = 12;

  /** Binds {@code a} to parameters {@code at + 1 … at + 12}. */
  static void bindAttempt(PreparedStatement ps, int at, Attempt a) throws SQLException {
    ps.setLong(at + 1, a.attemptId());
    ps.setLong(at + 2, nanos(a.time()));
    ps.setString(at + 3, a.machine());
    ps.setString(at + 4, a.entityId());
    ps.setString(at + 5, a.event());
    setNullable(ps, at + 6, a.from());
    setNullable(ps, at + 7, a.to());
    setNullable(ps, at + 8, a.guard());
    ps.setString(at + 9, a.guardResult().name());
    ps.setString(at + 10, a.outcome().name());
    setNullable(ps, at + 11, a.error());
    ps.setLong(at + 12, a.version());
  }

  private static void setNullable(PreparedStatement ps, int i, String v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.VARCHAR);
    } else {
      ps.setString(i, v);
    }
  }

  static Attempt attempt(ResultSet rs) throws SQLException {
    return new Attempt(
        rs.getLong(1),
        instant(rs.getLong(2)),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getString(7),
        rs.getString(8),
        GuardResult.valueOf(rs.getString(9)),
        Outcome.valueOf(rs.getString(10)),
        rs.getString(11),
        rs.getLong(12));
  }

  static OutboxEntry outbox(ResultSet rs) throws SQLException {
    long dispatched = rs.getLong(12);
    boolean pending = rs.wasNull();
    return new OutboxEntry(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getLong(4),
        rs.getString(5),
        rs.getString(6),
        rs.getString(7),
        rs.getString(8),
        JsonCodec.read(rs.getString(9)),
        rs.getInt(10),
        instant(rs.getLong(11)),
        pending ? null : instant(dispatched),
        rs.getString(13));
  }
}
