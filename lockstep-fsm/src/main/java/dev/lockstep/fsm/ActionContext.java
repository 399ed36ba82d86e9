package dev.lockstep.fsm;

import java.util.Map;
import java.util.Objects;

/**
 * What an {@link Action} sees: the entity, the transition taken and the new version, the entity's
 * data and the event's payload. Immutable (deep, unmodifiable copies of the maps; maps this library
 * froze already are shared) and thread-safe.
 *
 * @param entityId the entity
 * @param from the state left
 * @param event the event fired
 * @param to the state entered
 * @param version the entity's version after the transition (with the entity, an idempotency key)
 * @param data the entity's data
 * @param payload the event's payload
 */
public record ActionContext(
    String entityId,
    String from,
    String event,
    String to,
    long version,
    Map<String, Object> data,
    Map<String, Object> payload) {

  /** Checks the fields and copies the maps deeply (unless this library froze them already). */
  public ActionContext {
    Objects.requireNonNull(entityId, "entityId");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(to, "to");
    data = JsonValues.freeze(Objects.requireNonNull(data, "data"));
    payload = JsonValues.freeze(Objects.requireNonNull(payload, "payload"));
  }
}
