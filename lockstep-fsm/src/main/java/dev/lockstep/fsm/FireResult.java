package dev.lockstep.fsm;

import java.util.Objects;

/**
 * What one {@link FsmEngine#fire} attempt did. Exactly one of five outcomes; each is recorded in
 * the attempt log as an {@link Attempt} with the matching {@link Outcome}.
 *
 * <ul>
 *   <li>{@link Transitioned}: this call's event moved the entity; the store committed it.
 *   <li>{@link NotAllowed}: the entity's state has no transition on the event. Nothing changed.
 *   <li>{@link GuardRejected}: the transition's guard answered {@code false}. Nothing changed.
 *   <li>{@link Conflict}: another writer moved the entity between this call's read and its
 *       conditional update. Nothing changed; retry only if the event still makes sense.
 *   <li>{@link Failed}: a guard or in-transition action threw or timed out, the entity is unknown,
 *       the payload cannot be stored with the transition's effects, or the store failed before
 *       commit. Nothing changed.
 * </ul>
 *
 * <p>Unlike an "accepted" flag, {@code Transitioned} means <em>this</em> call made the transition:
 * of N concurrent fires of one event on one entity, exactly one gets it. Immutable values.
 */
public sealed interface FireResult {

  /** Returns the outcome recorded in the attempt log for this result. */
  Outcome outcome();

  /**
   * The event moved the entity.
   *
   * @param from the state left
   * @param to the state entered
   * @param version the entity's version after the transition
   */
  record Transitioned(String from, String to, long version) implements FireResult {
    /** Checks the fields. */
    public Transitioned {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }

    @Override
    public Outcome outcome() {
      return Outcome.TRANSITIONED;
    }
  }

  /**
   * The state has no transition on the event.
   *
   * @param state the entity's state when the event was fired
   * @param event the event
   */
  record NotAllowed(String state, String event) implements FireResult {
    /** Checks the fields. */
    public NotAllowed {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(event, "event");
    }

    @Override
    public Outcome outcome() {
      return Outcome.NOT_ALLOWED;
    }
  }

  /**
   * The transition's guard answered {@code false}.
   *
   * @param guard the guard's name
   * @param reason a readable reason
   */
  record GuardRejected(String guard, String reason) implements FireResult {
    /** Checks the fields. */
    public GuardRejected {
      Objects.requireNonNull(guard, "guard");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public Outcome outcome() {
      return Outcome.GUARD_REJECTED;
    }
  }

  /**
   * Another writer changed the entity first: the conditional update matched no row.
   *
   * @param expectedVersion the version this attempt read and evaluated against
   * @param actualVersion the version found when the update failed
   */
  record Conflict(long expectedVersion, long actualVersion) implements FireResult {
    @Override
    public Outcome outcome() {
      return Outcome.CONFLICT;
    }
  }

  /**
   * The attempt failed without changing the entity.
   *
   * @param error what failed: the guard's or action's exception, a {@link
   *     java.util.concurrent.TimeoutException} for a slow guard, {@link NoSuchEntityException}, an
   *     {@link IllegalArgumentException} for a payload the outbox cannot hold, or a {@link
   *     FsmStoreException}
   */
  record Failed(Throwable error) implements FireResult {
    /** Checks the fields. */
    public Failed {
      Objects.requireNonNull(error, "error");
    }

    @Override
    public Outcome outcome() {
      return Outcome.FAILED;
    }
  }
}
