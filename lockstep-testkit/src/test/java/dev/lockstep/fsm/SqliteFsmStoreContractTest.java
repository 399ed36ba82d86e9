package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.fsm.FsmStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The SQLite store, with group commit (the default), passes the store contract. */
class SqliteFsmStoreContractTest extends FsmStoreContract {
  @Override
  protected FsmStore openStore(Path dir) {
    return FsmStore.sqlite(dir.resolve("fsm.db"));
  }

  /**
   * No connection left after close: closing the last connection checkpoints and deletes the WAL, so
   * a WAL file that is still there names a connection close() missed (a reader or the writer).
   */
  @Test
  void closingClosesEveryConnection() {
    Path db = dir.resolve("fsm.db");
    store.insert(new EntityState("job", "w", "NEW", 0, java.util.Map.of()));
    store.read("w"); // opens a read connection
    assertTrue(Files.exists(db.resolveSibling("fsm.db-wal")), "WAL mode");
    store.close();
    assertFalse(Files.exists(db.resolveSibling("fsm.db-wal")), "a connection is still open");
  }
}
