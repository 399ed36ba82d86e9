package dev.lockstep.fsm;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;

/**
 * The writer's memory of the entities it moved: each entity's (machine, state, version) as its own
 * last write left it, so that a fire decided inside the write transaction ({@link InWriteFires})
 * need not read the entity first. It is used only under the write lock and only as a guess that the
 * versioned update checks: a fire takes a remembered head only when that head allows the event, and
 * if {@code UPDATE … WHERE id = ? AND version = ?} then changes no row, the fire forgets the head,
 * reads the entity and decides again, in the same transaction (see {@link SqliteWriteOps#fire}).
 * Every other outcome (not allowed, unknown entity, another machine) is decided from a read.
 *
 * <p>It is also kept exact, so that the check above seldom fires: {@link #startBatch} forgets
 * everything when {@code PRAGMA data_version} says that another connection (another process) has
 * committed since this writer's last transaction, and the writer forgets everything whenever it
 * rolls anything back (a rolled-back head could otherwise meet the same version written with
 * another state by another process). At most {@link #LIMIT} heads; past that it starts over.
 *
 * <p>Writer thread only.
 */
final class SqliteHeads {
  /** Heads kept before the map starts over (a few hundred kilobytes at most). */
  static final int LIMIT = 4096;

  /**
   * Off, every in-write fire reads its entity (the behaviour before the heads): for probes and
   * tests comparing the two. Read when a store opens.
   */
  static volatile boolean enabled = true;

  /** One entity's head; mutable so that a transition allocates nothing here. */
  static final class Head {
    final String machine;
    String state;
    long version;

    Head(String machine, String state, long version) {
      this.machine = machine;
      this.state = state;
      this.version = version;
    }
  }

  private final HashMap<String, Head> heads = new HashMap<>();
  private final boolean on = enabled;
  private long dataVersion = -1;
  private volatile long stale;

  /** The remembered head of {@code entityId}, or null. */
  Head get(String entityId) {
    return on ? heads.get(entityId) : null;
  }

  /** Remembers that this transaction moved {@code entityId} to {@code state} at {@code version}. */
  void put(String entityId, String machine, String state, long version) {
    if (!on) {
      return;
    }
    Head h = heads.get(entityId);
    if (h != null && h.machine.equals(machine)) {
      h.state = state;
      h.version = version;
      return;
    }
    if (heads.size() >= LIMIT) {
      heads.clear();
    }
    heads.put(entityId, new Head(machine, state, version));
  }

  /** Forgets {@code entityId}'s head: the versioned update found it stale. */
  void forget(String entityId) {
    heads.remove(entityId);
    stale = stale + 1;
  }

  /** Returns how many remembered heads proved stale (for tests: 0 while the heads are exact). */
  long stale() {
    return stale;
  }

  /** Forgets every head: something was rolled back, or another connection wrote. */
  void clear() {
    heads.clear();
  }

  /**
   * Called right after {@code BEGIN IMMEDIATE}: forgets every head if another connection committed
   * since this connection's last transaction (or if that cannot be told).
   */
  void startBatch(SqliteConnection c) {
    if (!on) {
      return;
    }
    long seen = -1;
    try (ResultSet rs = c.ps("data_version").executeQuery()) {
      seen = rs.next() ? rs.getLong(1) : -1;
    } catch (SQLException e) {
      seen = -1;
    }
    if (seen == -1 || seen != dataVersion) {
      heads.clear();
      dataVersion = seen;
    }
  }
}
