package dev.lockstep.fsm;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The write connection's view of entities it committed: (machine, state, version, data) as of its
 * last commit on each, so that a fire can skip the pre-read query. Only the writer thread writes
 * it, after COMMIT and before answering the callers, so a caller that heard {@code Transitioned}
 * reads its own write here. Correctness never depends on it: the conditional {@code UPDATE … WHERE
 * version = ?} still decides every commit.
 *
 * <p>It may be stale only when another connection (another store on the file, another process)
 * committed: the writer compares SQLite's {@code PRAGMA data_version} at every batch and {@link
 * #clear clears} the cache when it moved, and on any failure. A commit whose update misses is
 * always a conflict: after the fact a stale read cannot be told from a lost race (re-deciding it
 * made a second winner). Because the staleness check runs when the writer begins a batch, not when
 * a fire reads, fires do not read from here by default ({@link SqliteFsmStore#cacheEnabled}).
 */
final class SqliteEntityCache {
  /** Past this many entities the cache starts over (bounds memory; costs a re-read each). */
  static final int MAX_ENTITIES = 100_000;

  /** A pre-read: the entity (null if absent), whether it came from the cache, and the epoch. */
  record Snapshot(EntityState entity, boolean cached, long epoch) {}

  private final ConcurrentHashMap<String, EntityState> entities = new ConcurrentHashMap<>();
  private volatile long epoch;

  /** Returns the current epoch; read it before {@link #get}. */
  long epoch() {
    return epoch;
  }

  EntityState get(String entityId) {
    return entities.get(entityId);
  }

  /** Writer thread, after COMMIT: the entity as committed. */
  void put(EntityState e) {
    if (entities.size() >= MAX_ENTITIES && !entities.containsKey(e.entityId())) {
      clear();
    }
    entities.put(e.entityId(), e);
  }

  /** Writer thread, after COMMIT: a conflict showed version {@code actual}; drop an older entry. */
  void conflicted(String entityId, long actual) {
    EntityState e = entities.get(entityId);
    if (e != null && e.version() != actual) {
      entities.remove(entityId);
    }
  }

  /** Writer thread: forget everything, then advance the epoch (in that order, see the class). */
  void clear() {
    entities.clear();
    epoch = epoch + 1;
  }
}
