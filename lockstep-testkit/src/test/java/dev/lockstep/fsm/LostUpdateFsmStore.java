package dev.lockstep.fsm;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A deliberately broken store: its commit ignores the version the engine read and commits against
 * whatever version is current — the lost update of an {@code UPDATE … WHERE id = ?} without {@code
 * AND version = ?}. Reads are slowed down a little so that racing fires all read before any
 * commits. Racing fires on one entity then transition several times; the race and invariant tests
 * use it to show they can fail.
 */
final class LostUpdateFsmStore implements FsmStore {
  private final FsmStore delegate;

  LostUpdateFsmStore(FsmStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public CommitResult commit(TransitionCommit c) {
    long current = delegate.read(c.entityId()).orElseThrow().version();
    Attempt a = c.attempt();
    Attempt moved =
        new Attempt(
            a.attemptId(),
            a.time(),
            a.machine(),
            a.entityId(),
            a.event(),
            a.from(),
            a.to(),
            a.guard(),
            a.guardResult(),
            a.outcome(),
            a.error(),
            current + 1);
    return delegate.commit(new TransitionCommit(current, c.to(), moved, c.effects()));
  }

  @Override
  public Optional<EntityState> read(String entityId) {
    Optional<EntityState> s = delegate.read(entityId);
    try {
      Thread.sleep(2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return s;
  }

  @Override
  public String describe() {
    return "lost-update " + delegate.describe();
  }

  @Override
  public boolean insert(EntityState entity) {
    return delegate.insert(entity);
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
