package dev.lockstep.fsm;

import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Deeply immutable copies of JSON-compatible values: every map and list inside is copied into an
 * unmodifiable {@link FrozenMap} or {@link FrozenList}, so that no one holding the original (a
 * caller who keeps mutating its map, a nested list it still adds to) can change what a store keeps.
 * Values already frozen here are shared, not copied again: a map frozen once (by {@link
 * EntityState}, {@link EffectRequest}, the engine) passes through the other records as it is. Other
 * values (strings, numbers, booleans, null, and anything not JSON-compatible) are kept as given.
 */
final class JsonValues {
  private static final FrozenMap EMPTY = new FrozenMap(Collections.emptyMap());

  private JsonValues() {}

  /**
   * Returns {@code map} if frozen here already, else a deep unmodifiable copy; null → {}. The copy
   * keeps the maps' iteration order.
   */
  static Map<String, Object> freeze(Map<String, Object> map) {
    if (map == null || map.isEmpty()) {
      return EMPTY;
    }
    if (map instanceof FrozenMap f) {
      return f;
    }
    return (FrozenMap) freezeValue(map);
  }

  /**
   * Freezes {@code map}, which the caller owns alone (one just decoded from JSON): its maps are
   * wrapped in place rather than copied, and its lists' elements replaced in place.
   */
  static Map<String, Object> adopt(Map<String, Object> map) {
    if (map == null || map.isEmpty()) {
      return EMPTY;
    }
    return (FrozenMap) adoptValue(map);
  }

  private static Object freezeValue(Object value) {
    if (value instanceof FrozenMap || value instanceof FrozenList) {
      return value;
    }
    if (value instanceof Map<?, ?> m) {
      Map<Object, Object> copy = new LinkedHashMap<>(Math.max(4, (int) (m.size() / 0.75f) + 1));
      for (Map.Entry<?, ?> e : m.entrySet()) {
        copy.put(e.getKey(), freezeValue(e.getValue()));
      }
      return new FrozenMap(stringKeyed(copy));
    }
    if (value instanceof List<?> l) {
      Object[] copy = new Object[l.size()];
      int i = 0;
      for (Object o : l) {
        copy[i++] = freezeValue(o);
      }
      return new FrozenList(java.util.Arrays.asList(copy));
    }
    return value;
  }

  private static Object adoptValue(Object value) {
    if (value instanceof FrozenMap || value instanceof FrozenList) {
      return value;
    }
    if (value instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> owned = (Map<String, Object>) m;
      owned.replaceAll((k, v) -> adoptValue(v));
      return new FrozenMap(owned);
    }
    if (value instanceof List<?> l) {
      @SuppressWarnings("unchecked")
      List<Object> owned = (List<Object>) l;
      owned.replaceAll(JsonValues::adoptValue);
      return new FrozenList(owned);
    }
    return value;
  }

  /**
   * Keys are kept as given: JSON-compatible maps have string keys, and a nested map of another key
   * type is the caller's business (a JSON store writes its keys as strings).
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> stringKeyed(Map<Object, Object> map) {
    return (Map<String, Object>) (Map<?, ?>) map;
  }

  /** An unmodifiable map over a map that nothing else references. */
  static final class FrozenMap extends AbstractMap<String, Object> {
    private final Map<String, Object> map;
    private final Map<String, Object> view;

    FrozenMap(Map<String, Object> map) {
      this.map = map;
      this.view = Collections.unmodifiableMap(map);
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public boolean isEmpty() {
      return map.isEmpty();
    }

    @Override
    public boolean containsKey(Object key) {
      return map.containsKey(key);
    }

    @Override
    public boolean containsValue(Object value) {
      return map.containsValue(value);
    }

    @Override
    public Object get(Object key) {
      return map.get(key);
    }

    @Override
    public Object getOrDefault(Object key, Object defaultValue) {
      return map.getOrDefault(key, defaultValue);
    }

    @Override
    public Set<String> keySet() {
      return view.keySet();
    }

    @Override
    public Collection<Object> values() {
      return view.values();
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
      return view.entrySet();
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super Object> action) {
      map.forEach(action);
    }

    @Override
    public boolean equals(Object o) {
      return o == this || map.equals(o);
    }

    @Override
    public int hashCode() {
      return map.hashCode();
    }

    @Override
    public String toString() {
      return map.toString();
    }

    @Override
    public Object put(String key, Object value) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object remove(Object key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void putAll(Map<? extends String, ?> m) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void clear() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void replaceAll(BiFunction<? super String, ? super Object, ?> function) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object putIfAbsent(String key, Object value) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean remove(Object key, Object value) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean replace(String key, Object oldValue, Object newValue) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object replace(String key, Object value) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object computeIfAbsent(String key, Function<? super String, ?> f) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object computeIfPresent(
        String key, BiFunction<? super String, ? super Object, ?> remapping) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object compute(String key, BiFunction<? super String, ? super Object, ?> remapping) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object merge(
        String key, Object value, BiFunction<? super Object, ? super Object, ?> remapping) {
      throw new UnsupportedOperationException();
    }
  }

  /** An unmodifiable list over a list that nothing else references. */
  static final class FrozenList extends AbstractList<Object> implements RandomAccess {
    private final List<Object> items;

    FrozenList(List<Object> items) {
      this.items = items;
    }

    @Override
    public Object get(int index) {
      return items.get(index);
    }

    @Override
    public int size() {
      return items.size();
    }
  }
}
