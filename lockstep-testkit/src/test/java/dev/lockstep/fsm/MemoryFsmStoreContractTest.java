package dev.lockstep.fsm;

import dev.lockstep.testkit.fsm.FsmStoreContract;
import java.nio.file.Path;

/** The in-memory store passes the store contract. */
class MemoryFsmStoreContractTest extends FsmStoreContract {
  @Override
  protected FsmStore openStore(Path dir) {
    return FsmStore.inMemory();
  }
}
