package dev.lockstep.fsm;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SQLite store's writes of entities and transitions, run by {@link SqliteWriter} inside a
 * batch. Each writes its log and outbox rows through the batch's {@link SqliteBatchRows}.
 */
final class SqliteWriteOps {
  private SqliteWriteOps() {}

  /** The insert of a new entity whose data the caller has written as {@code dataJson}. */
  static SqliteWriter.Op<Boolean> insert(EntityState e, String dataJson, long now) {
    return (c, rows) -> {
      PreparedStatement ps = c.ps("insert_entity");
      ps.setString(1, e.entityId());
      ps.setString(2, e.machine());
      ps.setString(3, e.state());
      ps.setLong(4, e.version());
      ps.setString(5, dataJson);
      ps.setLong(6, now);
      ps.setLong(7, now);
      return ps.executeUpdate() == 1;
    };
  }

  /** {@link #commit(TransitionCommit, List)} with the payloads written now ({@link #payloads}). */
  static SqliteWriter.Op<CommitResult> commit(TransitionCommit t) {
    List<String> payloads = payloads(t);
    return commit(t, payloads);
  }

  /**
   * Writes the payloads of {@code t}'s effects as JSON, in order.
   *
   * @throws IllegalArgumentException when one cannot be stored (see {@link JsonCodec#write})
   */
  static List<String> payloads(TransitionCommit t) {
    List<String> payloads = new ArrayList<>(t.effects().size());
    Map<String, Object> last = null;
    for (EffectRequest e : t.effects()) {
      if (e.payload() != last) { // the effects of one transition share the event's payload
        last = e.payload();
        payloads.add(
            JsonCodec.write(
                last, "payload of effect '" + e.effect() + "' on entity '" + t.entityId() + "'"));
      } else {
        payloads.add(payloads.get(payloads.size() - 1));
      }
    }
    return payloads;
  }

  /**
   * The commit of one transition, whose effects' payloads the caller has written as {@code
   * payloadJson} (in order). A version that does not match is a {@code Conflicted} result with its
   * attempt row.
   */
  static SqliteWriter.Op<CommitResult> commit(TransitionCommit t, List<String> payloadJson) {
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
      c.heads.put(t.entityId(), a.machine(), t.to(), version);
      for (int i = 0; i < t.effects().size(); i++) {
        EffectRequest e = t.effects().get(i);
        rows.outbox(
            new SqliteBatchRows.OutboxRow(
                a.machine(),
                a.entityId(),
                version,
                e.effect(),
                a.event(),
                a.from(),
                a.to(),
                payloadJson.get(i),
                SqliteRows.nanos(a.time())));
      }
      return new CommitResult.Committed(version);
    };
  }

  /**
   * A fire decided inside the batch's transaction ({@link InWriteFires}): takes the entity's
   * machine, state and version from the writer's {@link SqliteHeads} when the remembered head
   * allows the event, else reads them on the write connection (which holds the write lock, so no
   * other connection or process can move the entity before the update); picks the step and writes
   * the fire's one attempt row; returns it. A remembered head is only a guess: if the versioned
   * update changes no row, the head is forgotten and the fire decided again from a read.
   */
  static SqliteWriter.Op<Attempt> fire(
      String store, CompiledMachine m, Attempt draft, Map<String, Object> payload) {
    return (c, rows) -> {
      Attempt a = fire(c, rows, store, m, draft, payload, true);
      return a != null ? a : fire(c, rows, store, m, draft, payload, false);
    };
  }

  /** One decision; null when the remembered head proved stale (decide again, reading). */
  private static Attempt fire(
      SqliteConnection c,
      SqliteBatchRows rows,
      String store,
      CompiledMachine m,
      Attempt draft,
      Map<String, Object> payload,
      boolean remembered)
      throws SQLException {
    String entityId = draft.entityId();
    String machine = null;
    String from = null;
    long version = -1;
    CompiledMachine.Step step = null;
    SqliteHeads.Head head = remembered ? c.heads.get(entityId) : null;
    if (head != null && head.machine.equals(m.name)) {
      step = m.step(head.state, draft.event());
    }
    if (step != null) { // a guess that allows the event; the versioned update checks it
      machine = head.machine;
      from = head.state;
      version = head.version;
    } else {
      remembered = false;
      PreparedStatement rd = c.ps("read_head");
      rd.setString(1, entityId);
      try (ResultSet rs = rd.executeQuery()) {
        if (rs.next()) {
          machine = rs.getString(1);
          from = rs.getString(2);
          version = rs.getLong(3);
        }
      }
      if (machine == null || !machine.equals(m.name)) {
        String error = DefaultFsmEngine.noSuchEntityMessage(store, m.name, entityId, machine);
        return row(rows, draft, from, null, Outcome.FAILED, error, -1);
      }
      step = m.step(from, draft.event());
      if (step == null) {
        return row(rows, draft, from, null, Outcome.NOT_ALLOWED, null, version);
      }
    }
    String to = step.transition().to();
    PreparedStatement up = c.ps("advance");
    up.setString(1, to);
    up.setLong(2, SqliteRows.nanos(draft.time()));
    up.setString(3, entityId);
    up.setLong(4, version);
    if (up.executeUpdate() != 1) {
      if (remembered) { // the remembered head was stale: nothing written, decide again
        c.heads.forget(entityId);
        return null;
      }
      // cannot happen after a read under the write lock: fail, never guess
      throw new SQLException("entity " + entityId + " changed under the write lock");
    }
    Attempt a = row(rows, draft, from, to, Outcome.TRANSITIONED, null, version + 1);
    for (String effect : step.effects()) {
      rows.outbox(
          new SqliteBatchRows.OutboxRow(
              m.name,
              entityId,
              version + 1,
              effect,
              draft.event(),
              from,
              to,
              JsonCodec.write(payload, "payload of effect '" + effect + "'"),
              SqliteRows.nanos(draft.time())));
    }
    c.heads.put(entityId, m.name, to, version + 1);
    return a;
  }

  private static Attempt row(
      SqliteBatchRows rows,
      Attempt d,
      String from,
      String to,
      Outcome outcome,
      String error,
      long version)
      throws SQLException {
    Attempt a =
        new Attempt(
            d.attemptId(),
            d.time(),
            d.machine(),
            d.entityId(),
            d.event(),
            from,
            to,
            null,
            GuardResult.NONE,
            outcome,
            error,
            version);
    rows.attempt(a);
    return a;
  }
}
