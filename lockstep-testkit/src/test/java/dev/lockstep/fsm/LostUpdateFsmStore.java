package dev.lockstep.fsm;

import dev.lockstep.testkit.fsm.ForwardingFsmStore;
import java.util.Optional;

/**
 * A deliberately broken store: its commit ignores the version the engine read and commits against
 * whatever version is current (again until it commits) — the lost update of an {@code UPDATE …
 * WHERE id = ?} without {@code AND version = ?}. Reads are slowed down a little so that racing
 * fires all read before any commits. Racing fires on one entity then transition several times; the
 * race and invariant tests use it to show they can fail.
 */
final class LostUpdateFsmStore extends ForwardingFsmStore {

  LostUpdateFsmStore(FsmStore delegate) {
    super(delegate);
  }

  @Override
  public CommitResult commit(TransitionCommit c) {
    while (true) {
      CommitResult r = commitAtCurrentVersion(c);
      if (r instanceof CommitResult.Committed) {
        return r;
      }
    }
  }

  private CommitResult commitAtCurrentVersion(TransitionCommit c) {
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
}
