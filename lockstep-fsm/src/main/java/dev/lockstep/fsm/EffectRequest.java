package dev.lockstep.fsm;

import java.util.Map;
import java.util.Objects;

/**
 * One after-commit effect to write to the outbox with its transition.
 *
 * @param effect the effect action's name
 * @param payload the event's payload, handed to the effect (JSON-compatible values; copied deeply
 *     into unmodifiable maps and lists unless this library froze it already)
 */
public record EffectRequest(String effect, Map<String, Object> payload) {

  /** Checks the fields. */
  public EffectRequest {
    Objects.requireNonNull(effect, "effect");
    payload = JsonValues.freeze(payload);
  }
}
