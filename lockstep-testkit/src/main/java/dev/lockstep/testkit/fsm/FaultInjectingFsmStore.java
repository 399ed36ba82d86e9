package dev.lockstep.testkit.fsm;

import dev.lockstep.fsm.Attempt;
import dev.lockstep.fsm.CommitResult;
import dev.lockstep.fsm.EntityState;
import dev.lockstep.fsm.FsmStore;
import dev.lockstep.fsm.OutboxEntry;
import dev.lockstep.fsm.TransitionCommit;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Delegates to a store, failing one armed commit before or after it reaches the store. */
final class FaultInjectingFsmStore implements FaultyFsmStore {
  private final FsmStore delegate;
  private final AtomicReference<Fault> armed = new AtomicReference<>();
  private final AtomicInteger injected = new AtomicInteger();

  FaultInjectingFsmStore(FsmStore delegate) {
    this.delegate = delegate;
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

  @Override
  public boolean insert(EntityState entity) {
    return delegate.insert(entity);
  }

  @Override
  public Optional<EntityState> read(String entityId) {
    return delegate.read(entityId);
  }

  @Override
  public void log(Attempt attempt) {
    delegate.log(attempt);
  }

  @Override
  public Optional<Attempt> attempt(String entityId, long attemptId) {
    return delegate.attempt(entityId, attemptId);
  }

  @Override
  public List<Attempt> history(String entityId) {
    return delegate.history(entityId);
  }

  @Override
  public List<EntityState> entities() {
    return delegate.entities();
  }

  @Override
  public List<OutboxEntry> pendingEffects(Instant now, int limit) {
    return delegate.pendingEffects(now, limit);
  }

  @Override
  public List<OutboxEntry> outbox(String entityId) {
    return delegate.outbox(entityId);
  }

  @Override
  public void markDispatched(long outboxId, Instant at) {
    delegate.markDispatched(outboxId, at);
  }

  @Override
  public void recordDispatchFailure(long outboxId, Instant nextAttempt, Attempt failure) {
    delegate.recordDispatchFailure(outboxId, nextAttempt, failure);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
