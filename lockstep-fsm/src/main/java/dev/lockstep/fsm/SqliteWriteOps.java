package dev.lockstep.fsm;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * The SQLite store's writes of entities and transitions, run by {@link SqliteWriter} inside a
 * batch. Each writes its log and outbox rows through the batch's {@link SqliteBatchRows} and tells
 * the writer's {@link SqliteEntityCache} what it committed, after COMMIT.
 */
final class SqliteWriteOps {
  private SqliteWriteOps() {}

  static SqliteWriter.Op<Boolean> insert(SqliteEntityCache cache, EntityState e, long now) {
    return (c, rows) -> {
      PreparedStatement ps = c.ps("insert_entity");
      ps.setString(1, e.entityId());
      ps.setString(2, e.machine());
      ps.setString(3, e.state());
      ps.setLong(4, e.version());
      String json = JsonCodec.write(e.data());
      ps.setString(5, json);
      ps.setLong(6, now);
      ps.setLong(7, now);
      if (ps.executeUpdate() != 1) {
        return false;
      }
      // cached as a read would return it (JSON numbers, lists and maps as the codec reads them)
      EntityState stored =
          new EntityState(e.machine(), e.entityId(), e.state(), e.version(), JsonCodec.read(json));
      rows.afterCommit(() -> cache.put(stored));
      return true;
    };
  }

  /**
   * The commit of one transition. {@code read} is the engine's pre-read, or null when the caller
   * came through {@link FsmStore#commit}. A version that does not match is always a {@code
   * Conflicted} result with its attempt row (never null).
   */
  static SqliteWriter.Op<CommitResult> commit(
      SqliteEntityCache cache, TransitionCommit t, SqliteEntityCache.Snapshot read) {
    return (c, rows) -> {
      Attempt a = t.attempt();
      PreparedStatement up = c.ps("advance");
      up.setString(1, t.to());
      up.setLong(2, SqliteRows.nanos(a.time()));
      up.setString(3, t.entityId());
      up.setLong(4, t.expectedVersion());
      if (up.executeUpdate() != 1) {
        // Always a conflict, even after a cached pre-read: a missed update cannot tell a stale read
        // from a lost race, and re-deciding a lost race made a second winner (SqliteLostRaceTest).
        long actual = -1;
        PreparedStatement rv = c.ps("read_version");
        rv.setString(1, t.entityId());
        try (ResultSet rs = rv.executeQuery()) {
          if (rs.next()) {
            actual = rs.getLong(1);
          }
        }
        rows.attempt(t.conflictAttempt(actual));
        long seen = actual;
        rows.afterCommit(() -> cache.conflicted(t.entityId(), seen));
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
      if (read != null && read.entity() != null) {
        EntityState was = read.entity();
        EntityState now =
            new EntityState(was.machine(), was.entityId(), t.to(), version, was.data());
        rows.afterCommit(() -> cache.put(now));
      }
      return new CommitResult.Committed(version);
    };
  }
}
