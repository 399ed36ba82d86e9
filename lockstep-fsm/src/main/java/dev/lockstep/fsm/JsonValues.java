package dev.lockstep.fsm;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Shallow-immutable views of JSON-compatible maps, without copying maps already frozen. */
final class JsonValues {
  private static final Class<?> FROZEN = Collections.unmodifiableMap(new HashMap<>()).getClass();
  private static final Class<?> IMMUTABLE = Map.of().getClass().getEnclosingClass();
  private static final Map<String, Object> EMPTY = Collections.unmodifiableMap(new HashMap<>());

  private JsonValues() {}

  /** Returns {@code map} if already an unmodifiable view, else an unmodifiable copy; null → {}. */
  static Map<String, Object> freeze(Map<String, Object> map) {
    if (map == null || map.isEmpty()) {
      return EMPTY;
    }
    if (map.getClass() == FROZEN || map.getClass().getEnclosingClass() == IMMUTABLE) {
      return map; // Map.of / Map.copyOf maps are immutable already
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
