package dev.lockstep.fsm;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A store passing every call to another (tests override the calls they break or watch). It
 * implements only the abstract methods of {@link FsmStore}, so the SPI's default methods run as
 * they would for a store written against an older SPI.
 */
class ForwardingStore implements FsmStore {
  final FsmStore delegate;

  ForwardingStore(FsmStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public String describe() {
    return "forwarding " + delegate.describe();
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
  public CommitResult commit(TransitionCommit commit) {
    return delegate.commit(commit);
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
