package dev.lockstep.fsm;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.Arrays;
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
 *
 * <p>Freezing also notes, once, whether the value can be stored as JSON that reads back ({@link
 * #unstorable}): Jackson writes strings, keys and numbers of any length but its reader refuses
 * those over its limits, so a store must never write them. The limits are Jackson's default read
 * limits, so that any reader of a store's file (another process, an older version) can read what is
 * written. Maps and lists nested deeper than {@link #MAX_DEPTH} are not descended into (and not
 * copied): such a value cannot be stored either.
 */
final class JsonValues {
  /** The longest string value stored JSON may hold, in chars. */
  static final int MAX_STRING_LENGTH = 20_000_000;

  /** The longest map key stored JSON may hold, in chars. */
  static final int MAX_KEY_LENGTH = 50_000;

  /** The most digits a number in stored JSON may have (sign, point and exponent mark aside). */
  static final int MAX_NUMBER_DIGITS = 1_000;

  /** How deep maps and lists may nest in stored JSON (a flat map is 1 deep). */
  static final int MAX_DEPTH = 1_000;

  private static final FrozenMap EMPTY = new FrozenMap(Collections.emptyMap(), 1, null);
  private static final FrozenList EMPTY_LIST = new FrozenList(Collections.emptyList(), 1, null);

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
    return (FrozenMap) freezeValue(map, 1);
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

  /**
   * Returns why {@code map} cannot be stored as JSON that reads back — such as {@code "data.n is a
   * number of 1100 digits; stored JSON allows at most 1000"}, {@code name} naming the map — or null
   * when it can. Constant time on a map frozen here.
   */
  static String unstorable(Map<String, Object> map, String name) {
    FrozenMap f = (FrozenMap) freeze(map);
    if (f.height > MAX_DEPTH) {
      return name
          + " nests maps and lists more than "
          + MAX_DEPTH
          + " levels deep; stored JSON allows at most "
          + MAX_DEPTH;
    }
    return f.problem == null ? null : name + f.problem.path + " " + f.problem.what;
  }

  /** What makes a value unstorable, and where: a path such as {@code .a[2].b}, relative to it. */
  record Problem(String path, String what) {
    Problem under(String step) {
      return new Problem(step + path, what);
    }
  }

  private static Object freezeValue(Object value, int depth) {
    if (value instanceof FrozenMap || value instanceof FrozenList) {
      return value;
    }
    if (value instanceof Map<?, ?> m) {
      if (depth > MAX_DEPTH) {
        return value; // too deep to store: left as it is, and heightOf makes every parent say so
      }
      if (m.isEmpty()) {
        return EMPTY;
      }
      Map<Object, Object> copy = new LinkedHashMap<>(Math.max(4, (int) (m.size() / 0.75f) + 1));
      int height = 0;
      Problem problem = null;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        Object v = freezeValue(e.getValue(), depth + 1);
        copy.put(e.getKey(), v);
        height = Math.max(height, heightOf(v));
        if (problem == null) {
          problem = entryProblem(e.getKey(), v);
        }
      }
      return new FrozenMap(stringKeyed(copy), height + 1, problem);
    }
    if (value instanceof List<?> l) {
      if (depth > MAX_DEPTH) {
        return value;
      }
      if (l.isEmpty()) {
        return EMPTY_LIST;
      }
      Object[] copy = new Object[l.size()];
      int height = 0;
      Problem problem = null;
      int i = 0;
      for (Object o : l) {
        Object v = freezeValue(o, depth + 1);
        height = Math.max(height, heightOf(v));
        if (problem == null) {
          problem = elementProblem(i, v);
        }
        copy[i++] = v;
      }
      return new FrozenList(Arrays.asList(copy), height + 1, problem);
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
      int[] height = {0};
      Problem[] problem = {null};
      owned.replaceAll(
          (k, v) -> {
            Object a = adoptValue(v);
            height[0] = Math.max(height[0], heightOf(a));
            if (problem[0] == null) {
              problem[0] = entryProblem(k, a);
            }
            return a;
          });
      return new FrozenMap(owned, height[0] + 1, problem[0]);
    }
    if (value instanceof List<?> l) {
      @SuppressWarnings("unchecked")
      List<Object> owned = (List<Object>) l;
      int height = 0;
      Problem problem = null;
      for (int i = 0; i < owned.size(); i++) {
        Object a = adoptValue(owned.get(i));
        owned.set(i, a);
        height = Math.max(height, heightOf(a));
        if (problem == null) {
          problem = elementProblem(i, a);
        }
      }
      return new FrozenList(owned, height + 1, problem);
    }
    return value;
  }

  /**
   * How many levels of maps and lists {@code v} is (0 for a scalar); more than the most if unknown.
   */
  private static int heightOf(Object v) {
    if (v instanceof FrozenMap f) {
      return f.height;
    }
    if (v instanceof FrozenList l) {
      return l.height;
    }
    return v instanceof Map<?, ?> || v instanceof List<?> ? MAX_DEPTH + 1 : 0;
  }

  private static Problem entryProblem(Object key, Object v) {
    if (key == null) {
      return new Problem("", "has a null key; JSON keys are strings");
    }
    String k = key.toString();
    if (k.length() > MAX_KEY_LENGTH) {
      return new Problem(
          "",
          "has a key of "
              + k.length()
              + " chars ("
              + label(k)
              + "); stored JSON allows at most "
              + MAX_KEY_LENGTH);
    }
    Problem p = problemOf(v);
    return p == null ? null : p.under("." + label(k));
  }

  private static Problem elementProblem(int index, Object v) {
    Problem p = problemOf(v);
    return p == null ? null : p.under("[" + index + "]");
  }

  private static String label(String key) {
    return key.length() <= 40 ? key : key.substring(0, 40) + "...";
  }

  private static Problem problemOf(Object v) {
    if (v instanceof FrozenMap f) {
      return f.problem;
    }
    if (v instanceof FrozenList l) {
      return l.problem;
    }
    if (v instanceof String s) {
      return s.length() <= MAX_STRING_LENGTH
          ? null
          : new Problem(
              "",
              "is a string of "
                  + s.length()
                  + " chars; stored JSON allows at most "
                  + MAX_STRING_LENGTH);
    }
    if (v instanceof Number n) {
      long digits = digits(n);
      return digits <= MAX_NUMBER_DIGITS
          ? null
          : new Problem(
              "",
              "is a number of "
                  + digits
                  + " digits; stored JSON allows at most "
                  + MAX_NUMBER_DIGITS);
    }
    return null;
  }

  /**
   * The digits of {@code n} as JSON writes it, exactly when they may be too many (the reader counts
   * the digits of the integer part, the fraction and the exponent); a small count otherwise.
   */
  private static long digits(Number n) {
    if (n instanceof Integer
        || n instanceof Long
        || n instanceof Double
        || n instanceof Float
        || n instanceof Short
        || n instanceof Byte) {
      return 0;
    }
    if (n instanceof BigInteger b) {
      return b.bitLength() <= 3_300 ? 0 : b.abs().toString().length(); // 2^3300 < 10^994
    }
    if (n instanceof BigDecimal d && d.precision() <= 980) {
      return 0; // toString adds at most 10 exponent digits, or 7 leading zeros
    }
    String text = n.toString();
    long digits = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        digits++;
      }
    }
    return digits;
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
    final int height;
    final Problem problem;

    FrozenMap(Map<String, Object> map, int height, Problem problem) {
      this.map = map;
      this.view = Collections.unmodifiableMap(map);
      this.height = height;
      this.problem = problem;
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
    final int height;
    final Problem problem;

    FrozenList(List<Object> items, int height, Problem problem) {
      this.items = items;
      this.height = height;
      this.problem = problem;
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
