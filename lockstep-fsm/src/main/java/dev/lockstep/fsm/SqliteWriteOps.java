package dev.lockstep.fsm;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * The SQLite store's writes of entities and transitions, run by {@link SqliteWriter} inside a
 * batch. Each writes its log and outbox rows through the batch's {@link SqliteBatchRows}.
 */
final class SqliteWriteOps {
  private SqliteWriteOps() {}

  static SqliteWriter.Op<Boolean> insert(EntityState e, long now) {
    return (c, rows) -> {
      PreparedStatement ps = c.ps("insert_entity");
      ps.setString(1, e.entityId());
      ps.setString(2, e.machine());
      ps.setString(3, e.state());
      ps.setLong(4, e.version());
      ps.setString(5, JsonCodec.write(e.data()));
      ps.setLong(6, now);
      ps.setLong(7, now);
      return ps.executeUpdate() == 1;
    };
  }

  /**
   * The commit of one transition. A version that does not match is a {@code Conflicted} result with
   * its attempt row.
   */
  static SqliteWriter.Op<CommitResult> commit(TransitionCommit t) {
    return (c, rows) -> {
      Attempt a = t.attempt();
      PreparedStatement up = c.ps("advance");
      up.setString(1, t.to());
      up.setLong(2, SqliteRows.nanos(a.time()));
      up.setString(3, t.entityId());
      up.setLong(4, t.expectedVersion());
      if (up.executeUpdate() != 1) {
        long actual = -1;
        PreparedStatement rv = c.ps("read_version");
        rv.setString(1, t.entityId());
        try (ResultSet rs = rv.executeQuery()) {
          if (rs.next()) {
            actual = rs.getLong(1);
          }
        }
        rows.attempt(t.conflictAttempt(actual));
        return new CommitResult.Conflicted(actual);
      }
      long version = t.expectedVersion() + 1;
      rows.attempt(a);
      for (EffectRequest e : t.effects()) {
        rows.outbox(
            new SqliteBatchRows.OutboxRow(
                a.machine(),
                a.entityId(),
                version,
                e.effect(),
                a.event(),
                a.from(),
                a.to(),
                JsonCodec.write(e.payload()),
                SqliteRows.nanos(a.time())));
      }
      return new CommitResult.Committed(version);
    };
  }
}
