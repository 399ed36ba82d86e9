package dev.lockstep.fsm;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's one writer: a thread that owns the write connection and takes write operations from a
 * queue. With group commit it drains up to {@code maxBatch} queued operations into one {@code BEGIN
 * IMMEDIATE … COMMIT}: each runs in order inside its own savepoint (so a later conditional update
 * in the batch sees an earlier one and conflicts exactly, and one failing operation rolls back
 * alone), and every caller is answered only after COMMIT. The queue makes writers in this JVM fair
 * (SQLite's busy handler is not); other processes are excluded by {@code BEGIN IMMEDIATE} and
 * waited for up to the busy timeout.
 */
final class SqliteWriter implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteWriter.class);

  /** One write, run on the writer thread inside the batch's transaction. */
  interface Op<T> {
    T run(SqliteConnection c) throws SQLException;
  }

  private record Pending<T>(Op<T> op, CompletableFuture<T> future) {}

  private static final Pending<Void> STOP = new Pending<>(c -> null, new CompletableFuture<>());

  private final Path file;
  private final SqliteConnection connection;
  private final int maxBatch;
  private final LinkedBlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;
  private volatile int largestBatch;

  SqliteWriter(Path file, SqliteConnection connection, int maxBatch) {
    this.file = file;
    this.connection = connection;
    this.maxBatch = maxBatch;
    this.thread = new Thread(this, "lockstep-fsm-sqlite-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code op} and waits for its result, known only after its transaction committed. */
  <T> T submit(String what, Op<T> op) {
    CompletableFuture<T> f = new CompletableFuture<>();
    if (closed) {
      throw new FsmStoreException(file + " is closed (" + what + ")");
    }
    queue.add(new Pending<>(op, f));
    if (closed) {
      drainClosed();
    }
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof FsmStoreException s) {
        throw new FsmStoreException(s.getMessage(), s);
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new FsmStoreException(file + ": " + what + " failed: " + cause, cause);
    }
  }

  @Override
  public void run() {
    List<Pending<?>> batch = new ArrayList<>();
    try {
      while (true) {
        Pending<?> first;
        try {
          first = queue.take();
        } catch (InterruptedException e) {
          return;
        }
        if (first == STOP) {
          return;
        }
        batch.clear();
        batch.add(first);
        if (maxBatch > 1) {
          queue.drainTo(batch, maxBatch - 1);
        }
        boolean stop = batch.remove(STOP);
        if (batch.size() > largestBatch) {
          largestBatch = batch.size();
        }
        try {
          runBatch(batch);
        } catch (RuntimeException | Error e) { // never leave a caller waiting forever
          failAll(batch, new FsmStoreException(file + ": writer failed: " + e, e));
          if (e instanceof Error err) {
            throw err;
          }
        }
        if (stop) {
          return;
        }
      }
    } finally {
      closed = true;
      drainClosed();
      try {
        connection.close();
      } catch (SQLException e) {
        LOG.warn("closing the write connection of {} failed: {}", file, e.toString());
      }
    }
  }

  private void runBatch(List<Pending<?>> batch) {
    Object[] results = new Object[batch.size()];
    Throwable[] errors = new Throwable[batch.size()];
    try {
      connection.exec("BEGIN IMMEDIATE");
    } catch (SQLException e) {
      failAll(batch, new FsmStoreException(file + ": cannot begin a write transaction: " + e, e));
      return;
    }
    boolean committed = false;
    try {
      for (int i = 0; i < batch.size(); i++) {
        connection.exec("SAVEPOINT op");
        try {
          results[i] = batch.get(i).op().run(connection);
          connection.exec("RELEASE op");
        } catch (SQLException | RuntimeException e) {
          connection.exec("ROLLBACK TO op");
          connection.exec("RELEASE op");
          errors[i] =
              e instanceof SQLException
                  ? new FsmStoreException(file + ": write failed, rolled back: " + e, e)
                  : e;
        }
      }
      connection.exec("COMMIT");
      committed = true;
    } catch (SQLException e) {
      FsmStoreException failure =
          new FsmStoreException(file + ": transaction failed, nothing committed: " + e, e);
      try {
        connection.exec("ROLLBACK");
      } catch (SQLException r) {
        failure.addSuppressed(r);
      }
      failAll(batch, failure);
      return;
    } finally {
      if (!committed) {
        LOG.debug("batch of {} on {} not committed", batch.size(), file);
      }
    }
    for (int i = 0; i < batch.size(); i++) {
      complete(batch.get(i), results[i], errors[i]);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> void complete(Pending<T> p, Object result, Throwable error) {
    if (error != null) {
      p.future().completeExceptionally(error);
    } else {
      p.future().complete((T) result);
    }
  }

  private static void failAll(List<Pending<?>> batch, Throwable error) {
    for (Pending<?> p : batch) {
      p.future().completeExceptionally(error);
    }
  }

  private void drainClosed() {
    Pending<?> p;
    while ((p = queue.poll()) != null) {
      p.future().completeExceptionally(new FsmStoreException(file + " is closed"));
    }
  }

  int largestBatch() {
    return largestBatch;
  }

  /** Stops the thread after the queued writes, and closes the connection. */
  void close() {
    if (!closed) {
      queue.add(STOP);
    }
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the write operations ----

  static Op<Boolean> insert(EntityState e, long now) {
    return c -> {
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

  static Op<CommitResult> commit(TransitionCommit t) {
    return c -> {
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
        insertAttempt(c, t.conflictAttempt(actual));
        return new CommitResult.Conflicted(actual);
      }
      long version = t.expectedVersion() + 1;
      insertAttempt(c, a);
      for (EffectRequest e : t.effects()) {
        PreparedStatement ob = c.ps("insert_outbox");
        ob.setString(1, a.machine());
        ob.setString(2, a.entityId());
        ob.setLong(3, version);
        ob.setString(4, e.effect());
        ob.setString(5, a.event());
        ob.setString(6, a.from());
        ob.setString(7, a.to());
        ob.setString(8, JsonCodec.write(e.payload()));
        ob.setLong(9, SqliteRows.nanos(a.time()));
        ob.executeUpdate();
      }
      return new CommitResult.Committed(version);
    };
  }

  static void insertAttempt(SqliteConnection c, Attempt a) throws SQLException {
    PreparedStatement ps = c.ps("insert_attempt");
    SqliteRows.bindAttempt(ps, a);
    ps.executeUpdate();
  }
}
