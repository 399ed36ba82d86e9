package dev.lockstep.fsm;

import dev.lockstep.testkit.fsm.FsmStoreContract;
import java.nio.file.Path;

/** The SQLite store with group commit off and synchronous=NORMAL passes the store contract. */
class SqliteSingleCommitContractTest extends FsmStoreContract {
  @Override
  protected FsmStore openStore(Path dir) {
    return FsmStore.sqlite(
        dir.resolve("fsm.db"),
        SqliteOptions.defaults()
            .withGroupCommit(false)
            .withSynchronous(SqliteOptions.Synchronous.NORMAL));
  }
}
