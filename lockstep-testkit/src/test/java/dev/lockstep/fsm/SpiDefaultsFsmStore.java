package dev.lockstep.fsm;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A store that implements only the abstract methods of {@link FsmStore}, passing each to a real
 * store, so that the SPI's default methods run as they would for a store written against the older
 * SPI: the filtered {@link FsmStore#pendingEffects(Instant, int, java.util.Map)} pages through the
 * unfiltered query, and {@link FsmStore#attempt(Attempt)} filters {@link FsmStore#attempt(String,
 * long)}. (The testkit's {@code ForwardingFsmStore} forwards those too, so it cannot stand in.)
 */
class SpiDefaultsFsmStore implements FsmStore {
  private final FsmStore delegate;

  SpiDefaultsFsmStore(FsmStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public String describe() {
    return "SPI defaults over " + delegate.describe();
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
