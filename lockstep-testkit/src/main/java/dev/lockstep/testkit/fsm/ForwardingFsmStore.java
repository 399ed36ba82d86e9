package dev.lockstep.testkit.fsm;

import dev.lockstep.fsm.Attempt;
import dev.lockstep.fsm.CommitResult;
import dev.lockstep.fsm.EntityState;
import dev.lockstep.fsm.FsmStore;
import dev.lockstep.fsm.OutboxEntry;
import dev.lockstep.fsm.TransitionCommit;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An {@link FsmStore} passing every call to another one: subclass it to break, fake or observe one
 * method of a real store in a test (as {@link FaultyFsmStore} does with commits). Closing it closes
 * the delegate. Thread-safe when the delegate is.
 */
public class ForwardingFsmStore implements FsmStore {
  /** The store every call goes to. */
  protected final FsmStore delegate;

  /** Wraps {@code delegate}. */
  public ForwardingFsmStore(FsmStore delegate) {
    this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public CommitResult commit(TransitionCommit c) {
    return delegate.commit(c);
  }

  @Override
  public Optional<EntityState> read(String entityId) {
    return delegate.read(entityId);
  }

  @Override
  public String describe() {
    return delegate.describe();
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
  public Optional<Attempt> attempt(Attempt like) {
    return delegate.attempt(like);
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
  public List<OutboxEntry> pendingEffects(
      Instant now, int limit, Map<String, ? extends Set<String>> effects) {
    return delegate.pendingEffects(now, limit, effects);
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
