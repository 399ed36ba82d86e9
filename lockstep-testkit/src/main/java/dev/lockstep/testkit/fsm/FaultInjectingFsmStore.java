package dev.lockstep.testkit.fsm;

import dev.lockstep.fsm.CommitResult;
import dev.lockstep.fsm.FsmStore;
import dev.lockstep.fsm.TransitionCommit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Delegates to a store, failing one armed commit before or after it reaches the store. */
final class FaultInjectingFsmStore extends ForwardingFsmStore implements FaultyFsmStore {
  private final AtomicReference<Fault> armed = new AtomicReference<>();
  private final AtomicInteger injected = new AtomicInteger();

  FaultInjectingFsmStore(FsmStore delegate) {
    super(delegate);
  }

  @Override
  public void failNextCommit(Fault fault) {
    armed.set(fault);
  }

  @Override
  public int faultsInjected() {
    return injected.get();
  }

  @Override
  public CommitResult commit(TransitionCommit commit) {
    Fault fault = armed.getAndSet(null);
    if (fault == Fault.BEFORE_COMMIT) {
      injected.incrementAndGet();
      throw new InjectedFault(fault);
    }
    CommitResult result = delegate.commit(commit);
    if (fault == Fault.AFTER_COMMIT) {
      injected.incrementAndGet();
      throw new InjectedFault(fault);
    }
    return result;
  }

  @Override
  public String describe() {
    return "faulty " + delegate.describe();
  }
}
