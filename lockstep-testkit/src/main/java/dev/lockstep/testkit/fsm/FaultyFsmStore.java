package dev.lockstep.testkit.fsm;

import dev.lockstep.fsm.FsmStore;

/**
 * An {@link FsmStore} that passes everything to another store, except that commits can be made to
 * fail on demand. Get one from {@link #wrap}. Thread-safe; the armed fault hits exactly one commit
 * (whichever thread commits next).
 */
public interface FaultyFsmStore extends FsmStore {

  /** Wraps {@code store}; closing the wrapper closes it. */
  static FaultyFsmStore wrap(FsmStore store) {
    return new FaultInjectingFsmStore(store);
  }

  /** Makes the next commit fail at {@code fault}. */
  void failNextCommit(Fault fault);

  /** Returns how many faults fired so far. */
  int faultsInjected();

  /** Thrown by an injected fault. */
  final class InjectedFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception naming the fault. */
    public InjectedFault(Fault fault) {
      super("injected fault " + fault);
    }
  }
}
