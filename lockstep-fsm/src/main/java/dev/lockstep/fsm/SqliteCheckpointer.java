package dev.lockstep.fsm;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints the WAL of a {@code synchronous=NORMAL} store on its own thread and connection, so
 * that the writer thread seldom waits for a checkpoint's fsyncs. SQLite's automatic checkpoint runs
 * inside the COMMIT that crosses its threshold, on the committing thread, and with {@code NORMAL}
 * that is where the fsyncs are: a probe (8 threads) measured the writer at 11.6–13.9k transitions/s
 * with them inline against 19.0–24.2k/s with them here. The writer {@link #request requests} a
 * {@code PASSIVE} checkpoint every {@link #EVERY} writes; a passive checkpoint takes no write lock
 * and blocks neither writers nor readers. Because the writer keeps appending meanwhile, such a
 * checkpoint rarely backfills the whole WAL, so SQLite cannot start the WAL over: the writer's own
 * automatic checkpoint, raised to {@link #BACKSTOP_PAGES}, still runs once the WAL reaches that
 * size (retried after each commit while this thread holds the checkpoint lock) and then finds most
 * pages already copied. Probes saw the WAL at 41–84 MB under sustained load; it is not strictly
 * bounded.
 *
 * <p>Not used with {@code FULL}: there every COMMIT fsyncs the WAL, and an fsync of a WAL that
 * keeps growing (instead of being overwritten from its start after each complete checkpoint) also
 * writes the file's metadata; one firing thread measured 1.5k/s against 2.6k/s with inline
 * checkpoints. The connection is opened at the first checkpoint; {@link #close} stops the thread
 * and closes it.
 */
final class SqliteCheckpointer implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteCheckpointer.class);

  /** Writes (operations) between two requested checkpoints: about SQLite's 1,000-page default. */
  static final int EVERY = 500;

  /** The writer connection's own automatic checkpoint threshold (pages): the backstop. */
  static final int BACKSTOP_PAGES = 10_000;

  private final Path file;
  private final SqliteOptions options;
  private final Map<String, String> sql;
  private final Semaphore due = new Semaphore(0);
  private final Thread thread;
  private volatile boolean stopping;
  private volatile long done;
  private SqliteConnection connection; // this thread only

  SqliteCheckpointer(Path file, SqliteOptions options, Map<String, String> sql) {
    this.file = file;
    this.options = options;
    this.sql = sql;
    this.thread = new Thread(this, "lockstep-fsm-sqlite-checkpointer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Asks for a checkpoint soon; requests made while one is pending are merged. Never blocks. */
  void request() {
    if (due.availablePermits() == 0) {
      due.release();
    }
  }

  @Override
  public void run() {
    try {
      while (true) {
        due.acquireUninterruptibly();
        due.drainPermits();
        if (stopping) {
          return;
        }
        checkpoint();
      }
    } finally {
      closeConnection();
    }
  }

  private void checkpoint() {
    try {
      if (connection == null) {
        connection = new SqliteConnection(file, options, sql);
      }
      connection.exec("PRAGMA wal_checkpoint(PASSIVE)");
      done = done + 1;
    } catch (SQLException | RuntimeException e) {
      LOG.debug(
          "background checkpoint of {} failed (the writer's own backstop remains): {}",
          file,
          e.toString());
      closeConnection();
    }
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        LOG.debug("closing the checkpoint connection of {} failed: {}", file, e.toString());
      }
      connection = null;
    }
  }

  /** Returns how many checkpoints this thread ran (for tests). */
  long checkpoints() {
    return done;
  }

  /** Stops the thread (after a checkpoint in progress) and closes its connection. */
  void close() {
    stopping = true;
    due.release();
    Threads.joinUninterruptibly(thread);
  }
}
