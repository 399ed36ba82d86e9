package dev.lockstep.fsm;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The SQLite store (xerial sqlite-jdbc, WAL). Writes go through one {@link SqliteWriter} thread and
 * connection (group commit); reads use a small pool of read connections, each a WAL snapshot per
 * statement. Several processes may open one file: {@code BEGIN IMMEDIATE} serializes their writers
 * and the conditional {@code UPDATE … WHERE id = ? AND version = ?} keeps each transition exact.
 * The engine's pre-read of a fire comes from the database; a fire of an event with no guard and no
 * in-transition action has none: the writer reads the entity inside the batch's transaction and
 * decides it there ({@link InWriteFires}), from the head the writer last wrote for the entity when
 * that allows the event ({@link SqliteHeads}, checked by the versioned update). A batch fills while
 * its transaction is open ({@link SqliteBatchFill}). With {@code NORMAL}, a {@link
 * SqliteCheckpointer} thread checkpoints the WAL so that the writer rarely does. Closing closes
 * every connection and stops both threads; the last connection in the system checkpoints and
 * removes the WAL.
 */
final class SqliteFsmStore implements FsmStore, InWriteFires {
  private static final int READERS = 4;

  private final Path file;
  private final SqliteOptions options;
  private final Map<String, String> sql;
  private final SqliteWriter writer;
  private final SqliteCheckpointer checkpointer; // null when SQLite checkpoints in the writer
  private final ArrayBlockingQueue<SqliteConnection> idleReaders =
      new ArrayBlockingQueue<>(READERS);
  private final List<SqliteConnection> allReaders = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.Semaphore readerPermits =
      new java.util.concurrent.Semaphore(READERS);
  private volatile boolean closed;

  private SqliteFsmStore(
      Path file, SqliteOptions options, Map<String, String> sql, SqliteConnection writeConnection) {
    this.file = file;
    this.options = options;
    this.sql = sql;
    this.checkpointer =
        SqliteWriter.backgroundCheckpoints
                && options.synchronous() == SqliteOptions.Synchronous.NORMAL
            ? new SqliteCheckpointer(file, options, sql)
            : null;
    this.writer =
        new SqliteWriter(
            file,
            writeConnection,
            options.groupCommit() ? options.maxBatch() : 1,
            checkpointer,
            options.synchronous() == SqliteOptions.Synchronous.FULL
                ? SqliteWriter.fullStoreFillWaitNanos
                : 0);
  }

  static SqliteFsmStore open(Path file, SqliteOptions options) {
    return open(file, options, Map.of());
  }

  /** Opens with some named statements replaced: how tests build deliberately broken stores. */
  static SqliteFsmStore open(Path file, SqliteOptions options, Map<String, String> overrides) {
    Map<String, String> sql = new java.util.HashMap<>(SqlResources.statements());
    sql.putAll(overrides);
    SqliteConnection c = null;
    try {
      c = new SqliteConnection(file, options, sql);
      SqliteSchema.migrate(c, file);
      return new SqliteFsmStore(file, options, sql, c);
    } catch (SQLException | RuntimeException e) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException s) {
          e.addSuppressed(s);
        }
      }
      if (e instanceof FsmStoreException f) {
        throw f;
      }
      throw new FsmStoreException("cannot open FSM store " + file + ": " + e.getMessage(), e);
    }
  }

  /** Returns the largest group-commit batch so far (for tests). */
  int largestBatch() {
    return writer.largestBatch();
  }

  /** Returns how many background checkpoints ran (for tests). */
  long checkpoints() {
    return checkpointer == null ? 0 : checkpointer.checkpoints();
  }

  /** Returns the writer (for tests that queue their own operations). */
  SqliteWriter writer() {
    return writer;
  }

  /** Returns how many batches held each number of operations (index = size). */
  long[] batchHistogram() {
    return writer.batchHistogram();
  }

  @Override
  public String describe() {
    return "SQLite store " + file;
  }

  /** A read on a pooled connection. */
  private interface Read<T> {
    T run(SqliteConnection c) throws SQLException;
  }

  private <T> T read(String what, Read<T> read) {
    if (closed) {
      throw new FsmStoreException(file + " is closed (" + what + ")");
    }
    readerPermits.acquireUninterruptibly();
    SqliteConnection c = closed ? null : idleReaders.poll();
    try {
      if (closed) {
        throw new FsmStoreException(file + " is closed (" + what + ")");
      }
      if (c == null) {
        c = new SqliteConnection(file, options, sql);
        allReaders.add(c);
      }
      return read.run(c);
    } catch (SQLException e) {
      throw new FsmStoreException(file + ": " + what + " failed: " + e.getMessage(), e);
    } finally {
      if (c != null) {
        idleReaders.offer(c);
      }
      readerPermits.release();
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when the data cannot be stored as JSON that reads back (see
   *     {@link JsonValues#unstorable}); nothing is written
   */
  @Override
  public boolean insert(EntityState entity) {
    // JSON is written on the caller's thread: a value that cannot be stored fails here, alone
    String json = JsonCodec.write(entity.data(), "data of entity '" + entity.entityId() + "'");
    return writer.submit(
        "insert entity " + entity.entityId(),
        SqliteWriteOps.insert(entity, json, SqliteRows.nanos(Instant.now())));
  }

  @Override
  public Optional<EntityState> read(String entityId) {
    return read(
        "read entity " + entityId,
        c -> {
          PreparedStatement ps = c.ps("read_entity");
          ps.setString(1, entityId);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              return Optional.empty();
            }
            return Optional.of(
                new EntityState(
                    rs.getString(1),
                    entityId,
                    rs.getString(2),
                    rs.getLong(3),
                    JsonCodec.read(rs.getString(4))));
          }
        });
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when an effect's payload cannot be stored as JSON that reads
   *     back (see {@link JsonValues#unstorable}); nothing is written
   */
  @Override
  public CommitResult commit(TransitionCommit commit) {
    // JSON is written on the caller's thread: a payload that cannot be stored fails here, alone
    List<String> payloads = SqliteWriteOps.payloads(commit);
    return writer.submit(
        "commit on entity " + commit.entityId(), SqliteWriteOps.commit(commit, payloads));
  }

  @Override
  public Attempt fireInWrite(CompiledMachine machine, Attempt draft, Map<String, Object> payload) {
    String problem = JsonValues.unstorable(payload, "payload");
    if (problem != null) { // the engine does not send these here; other callers fail at once
      throw new IllegalArgumentException("fire on entity '" + draft.entityId() + "': " + problem);
    }
    return writer.submit(
        "fire on entity " + draft.entityId(),
        SqliteWriteOps.fire(describe(), machine, draft, payload));
  }

  @Override
  public void log(Attempt attempt) {
    writer.submit(
        "log attempt on entity " + attempt.entityId(),
        (c, rows) -> {
          rows.attempt(attempt);
          return null;
        });
  }

  @Override
  public Optional<Attempt> attempt(String entityId, long attemptId) {
    return read(
        "find attempt " + attemptId,
        c -> {
          PreparedStatement ps = c.ps("find_attempt");
          ps.setLong(1, attemptId);
          ps.setString(2, entityId);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(SqliteRows.attempt(rs)) : Optional.empty();
          }
        });
  }

  @Override
  public Optional<Attempt> attempt(Attempt like) {
    return read(
        "find attempt " + like.attemptId(),
        c -> {
          PreparedStatement ps = c.ps("find_attempt_exact");
          ps.setLong(1, like.attemptId());
          ps.setString(2, like.entityId());
          ps.setLong(3, SqliteRows.nanos(like.time()));
          ps.setString(4, like.event());
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(SqliteRows.attempt(rs)) : Optional.empty();
          }
        });
  }

  @Override
  public List<Attempt> history(String entityId) {
    return read(
        "history of " + entityId,
        c -> {
          PreparedStatement ps = c.ps("history");
          ps.setString(1, entityId);
          List<Attempt> out = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(SqliteRows.attempt(rs));
            }
          }
          return out;
        });
  }

  @Override
  public List<EntityState> entities() {
    return read(
        "list entities",
        c -> {
          List<EntityState> out = new ArrayList<>();
          try (ResultSet rs = c.ps("all_entities").executeQuery()) {
            while (rs.next()) {
              out.add(
                  new EntityState(
                      rs.getString(2),
                      rs.getString(1),
                      rs.getString(3),
                      rs.getLong(4),
                      JsonCodec.read(rs.getString(5))));
            }
          }
          return out;
        });
  }

  @Override
  public List<OutboxEntry> pendingEffects(Instant now, int limit) {
    OutboxEntry.checkPendingArguments(now, limit);
    return read(
        "pending effects",
        c -> {
          PreparedStatement ps = c.ps("pending_outbox");
          ps.setLong(1, SqliteRows.nanos(now));
          ps.setInt(2, limit);
          return outboxRows(ps);
        });
  }

  /** One query: the store filters by (machine, effect) pairs handed over as a JSON array. */
  @Override
  public List<OutboxEntry> pendingEffects(
      Instant now, int limit, Map<String, ? extends Set<String>> effects) {
    OutboxEntry.checkPendingArguments(now, limit);
    List<List<String>> pairs = new ArrayList<>();
    effects.forEach((m, names) -> names.forEach(n -> pairs.add(List.of(m, n))));
    if (pairs.isEmpty() || limit == 0) {
      if (closed) {
        throw new FsmStoreException(file + " is closed (pending effects)");
      }
      return new ArrayList<>();
    }
    String json = JsonCodec.writeValue(pairs);
    return read(
        "pending effects",
        c -> {
          PreparedStatement ps = c.ps("pending_outbox_for");
          ps.setLong(1, SqliteRows.nanos(now));
          ps.setString(2, json);
          ps.setInt(3, limit);
          return outboxRows(ps);
        });
  }

  @Override
  public List<OutboxEntry> outbox(String entityId) {
    return read(
        "outbox of " + entityId,
        c -> {
          PreparedStatement ps = c.ps("entity_outbox");
          ps.setString(1, entityId);
          return outboxRows(ps);
        });
  }

  private static List<OutboxEntry> outboxRows(PreparedStatement ps) throws SQLException {
    List<OutboxEntry> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(SqliteRows.outbox(rs));
      }
    }
    return out;
  }

  @Override
  public void markDispatched(long outboxId, Instant at) {
    writer.submit(
        "mark outbox " + outboxId + " dispatched",
        (c, rows) -> {
          PreparedStatement ps = c.ps("mark_dispatched");
          ps.setLong(1, SqliteRows.nanos(at));
          ps.setLong(2, outboxId);
          return ps.executeUpdate();
        });
  }

  @Override
  public void recordDispatchFailure(long outboxId, Instant nextAttempt, Attempt failure) {
    writer.submit(
        "record failed dispatch of outbox " + outboxId,
        (c, rows) -> {
          PreparedStatement ps = c.ps("dispatch_failed");
          ps.setLong(1, SqliteRows.nanos(nextAttempt));
          ps.setString(2, failure.error());
          ps.setLong(3, outboxId);
          if (ps.executeUpdate() == 1) {
            rows.attempt(failure);
          }
          return null;
        });
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    readerPermits.acquireUninterruptibly(READERS); // wait for reads in flight
    for (SqliteConnection c : allReaders) {
      try {
        c.close();
      } catch (SQLException e) {
        // the file stays consistent; the writer's close checkpoints
      }
    }
    writer.close();
    if (checkpointer != null) {
      checkpointer.close();
    }
    readerPermits.release(READERS); // readers that waited for a permit now see the store closed
  }
}
