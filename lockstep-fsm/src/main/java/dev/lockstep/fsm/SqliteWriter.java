package dev.lockstep.fsm;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's one writer: a thread that owns the write connection and takes write operations from a
 * queue. With group commit it drains up to {@code maxBatch} queued operations into one {@code BEGIN
 * IMMEDIATE … COMMIT}: each runs in order (so a later conditional update in the batch sees an
 * earlier one and conflicts exactly; a failing operation is taken out and the batch re-run without
 * it, see {@link #runBatch}), and every caller is answered only after COMMIT. The queue makes
 * writers in this JVM fair (SQLite's busy handler is not); other processes are excluded by {@code
 * BEGIN IMMEDIATE} and waited for up to the busy timeout.
 */
final class SqliteWriter implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteWriter.class);

  /** One write, run on the writer thread inside the batch's transaction. */
  interface Op<T> {
    T run(SqliteConnection c, SqliteBatchRows rows) throws SQLException;
  }

  /**
   * Off, every batch takes the exact path (a savepoint per operation, one INSERT per row): the
   * behaviour before the fast path, kept switchable for probes comparing the two. Tests only.
   */
  static volatile boolean fastPathEnabled = true;

  /** Off, the writer's COMMITs checkpoint as SQLite does by default: for probes. Tests only. */
  static volatile boolean backgroundCheckpoints = true;

  /**
   * How long the writer of a FULL store waits for more callers before a COMMIT that pays an fsync
   * (see {@link SqliteBatchFill}); read when a store opens. 200 µs; tests and probes may change it.
   */
  static volatile long fullStoreFillWaitNanos = 200_000;

  private static final SqliteWritePending<Void> STOP =
      new SqliteWritePending<>((c, r) -> null, null);

  private final Path file;
  private final SqliteConnection connection;
  private final int maxBatch;
  private final SqliteWriteQueue<SqliteWritePending<?>> queue = new SqliteWriteQueue<>();
  private final SqliteBatchRows rows = new SqliteBatchRows();
  private final SqliteCheckpointer checkpointer; // null: SQLite's own automatic checkpoints
  private int sinceCheckpoint;
  private final SqliteBatchFill<SqliteWritePending<?>> fill;
  private final SqliteAttemptIndexer indexer;
  private final Thread thread;
  private volatile boolean closed;
  private volatile int largestBatch;
  private boolean counted; // this batch is in largestBatch and batchSizes
  private final java.util.concurrent.atomic.AtomicLongArray batchSizes;

  SqliteWriter(
      Path file,
      SqliteConnection connection,
      int maxBatch,
      SqliteCheckpointer checkpointer,
      long fillWaitNanos) {
    this.file = file;
    this.fill = new SqliteBatchFill<>(queue, STOP, maxBatch, fillWaitNanos);
    this.checkpointer = checkpointer;
    this.connection = connection;
    this.indexer = new SqliteAttemptIndexer(file, connection);
    this.maxBatch = maxBatch;
    this.batchSizes = new java.util.concurrent.atomic.AtomicLongArray(maxBatch + 1);
    if (checkpointer != null) {
      try {
        connection.exec("PRAGMA wal_autocheckpoint=" + SqliteCheckpointer.BACKSTOP_PAGES);
      } catch (SQLException e) {
        LOG.debug("cannot raise the automatic checkpoint threshold of {}: {}", file, e.toString());
      }
    }
    this.thread = new Thread(this, "lockstep-fsm-sqlite-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code op} and waits for its result, known only after its transaction committed. */
  <T> T submit(String what, Op<T> op) {
    if (closed) {
      throw new FsmStoreException(file + " is closed (" + what + ")");
    }
    SqliteWritePending<T> p = new SqliteWritePending<>(op, Thread.currentThread());
    queue.add(p);
    if (closed) {
      drainClosed();
    }
    try {
      return p.await();
    } catch (FsmStoreException s) {
      throw new FsmStoreException(s.getMessage(), s);
    } catch (RuntimeException r) {
      throw r;
    } catch (Throwable t) {
      throw new FsmStoreException(file + ": " + what + " failed: " + t, t);
    }
  }

  @Override
  public void run() {
    List<SqliteWritePending<?>> batch = new ArrayList<>();
    try {
      while (true) {
        SqliteWritePending<?> first;
        try {
          queue.awaitSize(1, 0);
        } catch (InterruptedException e) {
          return;
        }
        first = queue.poll();
        if (first == null) { // taken by a caller that found the store closed
          continue;
        }
        if (first == STOP) {
          return;
        }
        batch.clear();
        batch.add(first);
        if (maxBatch > 1) {
          queue.drainTo(batch, maxBatch - 1);
        }
        fill.start(batch.remove(STOP));
        counted = false;
        try {
          runBatch(batch);
        } catch (RuntimeException | Error e) { // never leave a caller waiting forever
          connection.heads.clear();
          count(batch);
          failAll(batch, new FsmStoreException(file + ": writer failed: " + e, e));
          if (e instanceof Error err) {
            throw err;
          }
        }
        boolean stop = fill.stopSeen();
        fill.finish(batch.size());
        indexer.written(rows.takeAttemptsWritten()); // after the callers were answered
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

  /**
   * Runs one batch and answers its callers. The fast path runs every operation without savepoints
   * and writes the batch's log and outbox rows with one multi-row INSERT each. If an operation
   * throws, the whole transaction is rolled back and the batch re-run without it (it alone is
   * answered with its error), so the others' results are exactly what they would have been had it
   * never been queued. If writing the buffered rows fails, the batch is rolled back and re-run on
   * the exact path: one savepoint per operation, rows inserted as they come.
   */
  private void runBatch(List<SqliteWritePending<?>> batch) {
    Object[] results = new Object[maxBatch];
    Throwable[] errors = new Throwable[maxBatch];
    if (!fastPathEnabled) {
      fill.close();
      exactPath(batch, results, errors);
      return;
    }
    while (true) {
      switch (fastPath(batch, results, errors)) {
        case DONE -> {
          return;
        }
        case RETRY -> {
          // an operation failed and was rolled back with the rest: run the rest again
        }
        case EXACT -> {
          exactPath(batch, results, errors);
          return;
        }
      }
    }
  }

  private enum Next {
    DONE,
    RETRY,
    EXACT
  }

  private Next fastPath(List<SqliteWritePending<?>> batch, Object[] results, Throwable[] errors) {
    if (!begin(batch, errors)) {
      return Next.DONE;
    }
    rows.begin(connection, true);
    for (int i = 0; i < batch.size() || fill.more(batch); i++) { // the batch fills as it runs
      if (errors[i] != null) {
        continue;
      }
      try {
        results[i] = batch.get(i).op.run(connection, rows);
      } catch (SQLException | RuntimeException e) {
        errors[i] = opFailed(e);
        return rollback(batch, errors) ? Next.RETRY : Next.DONE;
      }
    }
    try {
      rows.flush();
    } catch (SQLException | RuntimeException e) {
      LOG.debug("rows of a batch of {} on {} failed, re-running it: {}", batch.size(), file, e);
      return rollback(batch, errors) ? Next.EXACT : Next.DONE;
    }
    commit(batch, results, errors);
    return Next.DONE;
  }

  /** Each operation in its own savepoint: one that fails rolls back alone. */
  private void exactPath(List<SqliteWritePending<?>> batch, Object[] results, Throwable[] errors) {
    if (!begin(batch, errors)) {
      return;
    }
    rows.begin(connection, false);
    try {
      for (int i = 0; i < batch.size(); i++) {
        if (errors[i] != null) {
          continue;
        }
        connection.exec("SAVEPOINT op");
        try {
          results[i] = batch.get(i).op.run(connection, rows);
          connection.exec("RELEASE op");
        } catch (SQLException | RuntimeException e) {
          connection.heads.clear();
          connection.exec("ROLLBACK TO op");
          connection.exec("RELEASE op");
          errors[i] = opFailed(e);
        }
      }
    } catch (SQLException e) {
      if (!rollback(batch, errors)) {
        return;
      }
      failRest(batch, errors, failed(e));
      answer(batch, results, errors);
      return;
    }
    commit(batch, results, errors);
  }

  private Throwable opFailed(Exception e) {
    return e instanceof SQLException
        ? new FsmStoreException(file + ": write failed, rolled back: " + e, e)
        : e;
  }

  private FsmStoreException failed(SQLException e) {
    return new FsmStoreException(file + ": transaction failed, nothing committed: " + e, e);
  }

  /** BEGIN IMMEDIATE; on failure answers every caller not yet answered and returns false. */
  private boolean begin(List<SqliteWritePending<?>> batch, Throwable[] errors) {
    try {
      connection.execPrepared("BEGIN IMMEDIATE");
      connection.heads.startBatch(connection);
    } catch (SQLException e) {
      failRest(
          batch,
          errors,
          new FsmStoreException(file + ": cannot begin a write transaction: " + e, e));
      answer(batch, new Object[batch.size()], errors);
      return false;
    }
    return true;
  }

  /** ROLLBACK; if even that fails, answers every caller with the failure and returns false. */
  private boolean rollback(List<SqliteWritePending<?>> batch, Throwable[] errors) {
    connection.heads.clear();
    try {
      connection.exec("ROLLBACK");
      return true;
    } catch (SQLException e) {
      failRest(batch, errors, failed(e));
      answer(batch, new Object[batch.size()], errors);
      return false;
    }
  }

  private void commit(List<SqliteWritePending<?>> batch, Object[] results, Throwable[] errors) {
    try {
      connection.execPrepared("COMMIT");
    } catch (SQLException e) {
      connection.heads.clear();
      count(batch);
      FsmStoreException failure = failed(e);
      try {
        connection.exec("ROLLBACK");
      } catch (SQLException r) {
        failure.addSuppressed(r);
      }
      failAll(batch, failure);
      return;
    }
    sinceCheckpoint += batch.size();
    if (checkpointer != null && sinceCheckpoint >= SqliteCheckpointer.EVERY) {
      sinceCheckpoint = 0;
      checkpointer.request();
    }
    answer(batch, results, errors);
  }

  private static void failRest(
      List<SqliteWritePending<?>> batch, Throwable[] errors, Throwable error) {
    for (int i = 0; i < batch.size(); i++) {
      if (errors[i] == null) {
        errors[i] = error;
      }
    }
  }

  private void answer(List<SqliteWritePending<?>> batch, Object[] results, Throwable[] errors) {
    count(batch);
    SqliteWritePending.answerAll(batch, results, errors);
  }

  /** Counts the batch once, before its callers hear (tests read the counts after they do). */
  private void count(List<SqliteWritePending<?>> batch) {
    if (!counted) {
      counted = true;
      if (batch.size() > largestBatch) {
        largestBatch = batch.size();
      }
      batchSizes.incrementAndGet(batch.size());
    }
  }

  private static void failAll(List<SqliteWritePending<?>> batch, Throwable error) {
    for (SqliteWritePending<?> p : batch) {
      p.fail(error);
    }
  }

  private void drainClosed() {
    SqliteWritePending<?> p;
    while ((p = queue.poll()) != null) {
      p.fail(new FsmStoreException(file + " is closed"));
    }
  }

  int largestBatch() {
    return largestBatch;
  }

  /** Returns how many operations wait in the queue (for tests). */
  int queued() {
    return queue.size();
  }

  /** Returns how many batches held each number of operations (index = size; for probes, tests). */
  long[] batchHistogram() {
    long[] out = new long[batchSizes.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = batchSizes.get(i);
    }
    return out;
  }

  /** Stops the thread after the queued writes, and closes the connection. */
  void close() {
    if (!closed) {
      queue.addUrgent(STOP);
    }
    Threads.joinUninterruptibly(thread);
  }
}
