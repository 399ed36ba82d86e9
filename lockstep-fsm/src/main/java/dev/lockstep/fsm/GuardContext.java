package dev.lockstep.fsm;

import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Guard} sees: the entity's current state, the event fired, the entity's data and the
 * event's payload, as read in one snapshot.
 *
 * <p>Immutable (the maps are deep, unmodifiable copies; maps this library froze already are shared)
 * and thread-safe. Map values may be {@code null}, strings, numbers, booleans, lists and nested
 * maps, as decoded from JSON.
 *
 * @param state the entity's current state
 * @param event the event fired
 * @param data the entity's data
 * @param payload the event's payload
 */
public record GuardContext(
    String state, String event, Map<String, Object> data, Map<String, Object> payload) {

  /** Checks the fields and copies the maps deeply (unless this library froze them already). */
  public GuardContext {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(event, "event");
    data = JsonValues.freeze(Objects.requireNonNull(data, "data"));
    payload = JsonValues.freeze(Objects.requireNonNull(payload, "payload"));
  }
}
