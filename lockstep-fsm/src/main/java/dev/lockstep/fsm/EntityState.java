package dev.lockstep.fsm;

import java.util.Map;
import java.util.Objects;

/**
 * One entity as read from a store: the machine it belongs to, its id (unique in its store), its
 * state, its version and its data. The version is 0 at creation and grows by one per committed
 * transition. An immutable snapshot: it does not follow later changes.
 *
 * @param machine the machine's name
 * @param entityId the entity's id, unique in the store
 * @param state the current state
 * @param version the number of transitions committed so far
 * @param data the entity's data: JSON-compatible values (null, strings, numbers, booleans, lists,
 *     maps with string keys); unmodifiable all the way down
 */
public record EntityState(
    String machine, String entityId, String state, long version, Map<String, Object> data) {

  /**
   * Checks the fields and copies {@code data} deeply into unmodifiable maps and lists (null → {}),
   * so that later changes to the caller's maps or lists do not show in the snapshot. Data this
   * library froze already, such as another {@code EntityState}'s, is shared, not copied.
   */
  public EntityState {
    Objects.requireNonNull(machine, "machine");
    Objects.requireNonNull(entityId, "entityId");
    Objects.requireNonNull(state, "state");
    data = JsonValues.freeze(data);
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0, got " + version);
    }
  }
}
