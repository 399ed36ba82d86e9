package dev.lockstep.fsm;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One after-commit effect in the outbox, written in the same transaction as its transition.
 * (entity, version, effect) is its idempotency key: a dispatch may be repeated, never skipped.
 *
 * @param id the store's id of the entry
 * @param machine the machine's name
 * @param entityId the entity
 * @param version the version the transition produced
 * @param effect the effect action's name
 * @param event the event that caused the transition
 * @param from the state left
 * @param to the state entered
 * @param payload the event's payload (a deep, unmodifiable copy)
 * @param dispatchAttempts how many dispatches failed so far
 * @param nextAttempt when the entry is due (again)
 * @param dispatchedAt when a dispatch succeeded, or null while pending
 * @param lastError the last dispatch error, or null
 */
public record OutboxEntry(
    long id,
    String machine,
    String entityId,
    long version,
    String effect,
    String event,
    String from,
    String to,
    Map<String, Object> payload,
    int dispatchAttempts,
    Instant nextAttempt,
    Instant dispatchedAt,
    String lastError) {

  /** Checks the fields. */
  public OutboxEntry {
    Objects.requireNonNull(entityId, "entityId");
    Objects.requireNonNull(effect, "effect");
    payload = JsonValues.freeze(payload);
  }

  /** Returns whether a dispatch succeeded. */
  public boolean dispatched() {
    return dispatchedAt != null;
  }

  /**
   * Refuses what {@link FsmStore#pendingEffects(Instant, int)} says it refuses (a null {@code now},
   * a negative {@code limit}); for the SPI's default and the stores, so they refuse alike.
   */
  static void checkPendingArguments(Instant now, int limit) {
    Objects.requireNonNull(now, "now");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0, got " + limit);
    }
  }
}
