package dev.lockstep.fsm;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * One SQLite connection with its prepared statements, configured for the store: WAL, the chosen
 * {@code synchronous}, a busy timeout. Transactions are begun explicitly ({@code BEGIN IMMEDIATE})
 * on an autocommit connection, so that no write lock is held between them (sqlite-jdbc's own
 * non-autocommit mode begins the next transaction eagerly, holding the lock). Not thread-safe: one
 * thread at a time.
 */
final class SqliteConnection implements AutoCloseable {
  private final Connection connection;
  private final Map<String, String> sql;
  private final Map<String, PreparedStatement> prepared = new HashMap<>();
  private final Statement plain;

  /** The entity heads this connection's transactions wrote (the writer's connection only). */
  final SqliteHeads heads = new SqliteHeads();

  SqliteConnection(Path file, SqliteOptions options, Map<String, String> sql) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(
        options.synchronous() == SqliteOptions.Synchronous.FULL
            ? SQLiteConfig.SynchronousMode.FULL
            : SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout((int) options.busyTimeout().toMillis());
    // sqlite-jdbc otherwise runs `SELECT last_insert_rowid()` after every INSERT so that
    // getGeneratedKeys() works; the store never asks for generated keys, and that query cost the
    // writer thread about 19 us of its ~55 us per transition (bench fsm, docs/benchmarks.md).
    config.setGetGeneratedKeys(false);
    config.setOpenMode(SQLiteOpenMode.OPEN_URI);
    this.connection = config.createConnection(url(file));
    this.sql = sql;
    this.plain = connection.createStatement();
  }

  /**
   * The JDBC URL of {@code file}: a {@code file:} URI, percent-encoded by the JDK ({@link
   * Path#toUri}), which SQLite decodes. The plain form {@code "jdbc:sqlite:" + path} let
   * sqlite-jdbc cut a name at its first {@code ?} and read the rest as settings, so {@code
   * y.db?x=1} opened {@code y.db}.
   */
  static String url(Path file) {
    return "jdbc:sqlite:" + file.toAbsolutePath().toUri().toASCIIString();
  }

  PreparedStatement ps(String name) throws SQLException {
    PreparedStatement ps = prepared.get(name);
    if (ps == null) {
      String text = sql.get(name);
      if (text == null) {
        throw new IllegalStateException("no statement '" + name + "' in statements.sql");
      }
      ps = connection.prepareStatement(text);
      prepared.put(name, ps);
    }
    return ps;
  }

  /**
   * Returns named INSERT statement {@code name} extended to {@code rows} rows: its trailing {@code
   * VALUES (…)} tuple repeated. Prepared once per (name, rows).
   */
  PreparedStatement psRows(String name, int rows) throws SQLException {
    if (rows == 1) {
      return ps(name);
    }
    String key = name + "#" + rows;
    PreparedStatement ps = prepared.get(key);
    if (ps == null) {
      String text = sql.get(name);
      if (text == null) {
        throw new IllegalStateException("no statement '" + name + "' in statements.sql");
      }
      int values = text.toUpperCase(java.util.Locale.ROOT).lastIndexOf("VALUES");
      if (values < 0 || !text.strip().endsWith(")")) {
        throw new IllegalStateException("statement '" + name + "' does not end in VALUES (...)");
      }
      String tuple = text.substring(text.indexOf('(', values)).strip();
      ps = connection.prepareStatement(text + (", " + tuple).repeat(rows - 1));
      prepared.put(key, ps);
    }
    return ps;
  }

  void exec(String statement) throws SQLException {
    plain.execute(statement);
  }

  /**
   * Runs {@code statement} (one without parameters or results, such as {@code BEGIN IMMEDIATE} or
   * {@code COMMIT}) through a statement prepared once: {@link #exec} parses it every time.
   */
  void execPrepared(String statement) throws SQLException {
    PreparedStatement ps = prepared.get(statement);
    if (ps == null) {
      ps = connection.prepareStatement(statement);
      prepared.put(statement, ps);
    }
    ps.execute();
  }

  @Override
  public void close() throws SQLException {
    for (PreparedStatement ps : prepared.values()) {
      ps.close();
    }
    prepared.clear();
    plain.close();
    connection.close();
  }
}
