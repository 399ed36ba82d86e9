package dev.lockstep.fsm;

import dev.lockstep.testkit.fsm.FsmStoreContract;
import java.nio.file.Path;

/**
 * The SPI's default methods (the filtered pending-effects query paging through the unfiltered one)
 * pass the store contract over the in-memory store.
 */
class SpiDefaultsMemoryContractTest extends FsmStoreContract {
  @Override
  protected FsmStore openStore(Path dir) {
    return new SpiDefaultsFsmStore(FsmStore.inMemory());
  }
}
