package dev.lockstep.fsm;

import dev.lockstep.testkit.fsm.FsmStoreContract;
import java.nio.file.Path;

/**
 * The SPI's default methods (the filtered pending-effects query paging through the unfiltered one)
 * pass the store contract over the SQLite store, whose unfiltered order is by due time.
 */
class SpiDefaultsSqliteContractTest extends FsmStoreContract {
  @Override
  protected FsmStore openStore(Path dir) {
    return new SpiDefaultsFsmStore(FsmStore.sqlite(dir.resolve("fsm.db")));
  }
}
