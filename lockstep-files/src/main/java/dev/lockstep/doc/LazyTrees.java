package dev.lockstep.doc;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;
import java.util.Spliterator;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Private copies of a stored document tree that copy a container only when it is first opened: the
 * operators' inputs. A stored tree never changes (see {@link YamlEmitter#normalized(JsonNode,
 * JsonNode)}), so a copy of it can wait until somebody looks inside: {@link #copyOf} returns, for a
 * mapping or a sequence, a node of Jackson's own kind ({@link ObjectNode}, {@link ArrayNode}) whose
 * children are the stored node's, each wrapped the same way, the first time any of them is asked
 * for (or the container is changed, iterated, compared or printed); value nodes are immutable and
 * shared. An operator that bumps one field of a large document therefore copies the containers on
 * the path to that field, each with its direct children, and nothing else.
 *
 * <p>Guarantees. A copy behaves exactly as {@link JsonNode#deepCopy()} of its source would: equal
 * content and key order, the same node kinds, and no container shared with the source or with any
 * other copy, so nothing done to a copy ever reaches a stored tree. A container that has not been
 * opened yet answers {@link #unopened} with its source, which {@link YamlEmitter#normalized} uses
 * to keep that stored node by identity instead of walking and copying it again; {@code size()},
 * {@code isEmpty()} and writing it with an {@code ObjectMapper} ({@code serialize}, without type
 * information) leave it unopened; {@code toString()} opens it (Jackson prints a tree by walking
 * it).
 *
 * <p>Threading. As for Jackson's own trees: one thread may change a tree while no other thread uses
 * it. Threads that only read may share a copy: a container is opened at most once (a CAS; whoever
 * loses uses the winner's children), so every reader sees the same children.
 */
final class LazyTrees {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private LazyTrees() {}

  /** A private copy of {@code stored}, a node of a stored tree that never changes. */
  static JsonNode copyOf(JsonNode stored) {
    if (stored instanceof ObjectNode object) {
      return new LazyObject(object);
    }
    if (stored instanceof ArrayNode array) {
      return new LazyArray(array);
    }
    return stored; // a value node: immutable (what deepCopy() returns too)
  }

  /** The stored node that {@code node} is a still-unopened copy of, or null. */
  static JsonNode unopened(JsonNode node) {
    if (node instanceof LazyObject o) {
      return o.children().unopened();
    }
    if (node instanceof LazyArray a) {
      return a.items().unopened();
    }
    return null;
  }

  /** A mapping whose fields are copied when first used. */
  // javac flags any subclass of ObjectNode: Jackson's own deepCopy() narrows JsonNode's generic one
  @SuppressWarnings("unchecked")
  static final class LazyObject extends ObjectNode {
    private static final long serialVersionUID = 1L; // never written: see writeReplace()

    LazyObject(ObjectNode source) {
      super(NODES, new Fields(source));
    }

    Fields children() {
      return (Fields) _children;
    }

    /**
     * JDK serialization writes a plain copy: Jackson's {@code writeReplace} (which writes a node as
     * its JSON) is package-private in {@code BaseJsonNode}, so it does not apply to this subclass.
     */
    private Object writeReplace() {
      return deepCopy();
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
      JsonNode stored = children().unopened();
      if (stored != null) {
        ((ObjectNode) stored).serialize(g, provider);
      } else {
        super.serialize(g, provider);
      }
    }
  }

  /** A sequence whose items are copied when first used. */
  // javac flags any subclass of ArrayNode: Jackson's own deepCopy() narrows JsonNode's generic one
  @SuppressWarnings("unchecked")
  static final class LazyArray extends ArrayNode {
    private static final long serialVersionUID = 1L; // never written: see writeReplace()

    private final transient Items items; // ArrayNode's own reference to it is private

    LazyArray(ArrayNode source) {
      this(new Items(source));
    }

    private LazyArray(Items items) {
      super(NODES, items);
      this.items = items;
    }

    Items items() {
      return items;
    }

    /** JDK serialization writes a plain copy (see {@link LazyObject}). */
    private Object writeReplace() {
      return deepCopy();
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
      JsonNode stored = items().unopened();
      if (stored != null) {
        ((ArrayNode) stored).serialize(g, provider);
      } else {
        super.serialize(g, provider);
      }
    }
  }

  /**
   * A container's children: the stored container until first used, then a copy of its children
   * (each a {@link #copyOf}), to which every call goes from then on; a CAS decides which copy that
   * is when readers on several threads open it at once.
   *
   * @param <C> the copy's type
   */
  private abstract static class Opening<C> {
    private static final VarHandle OPENED;

    static {
      try {
        OPENED = MethodHandles.lookup().findVarHandle(Opening.class, "opened", Object.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final JsonNode source;
    private volatile C opened;

    Opening(JsonNode source) {
      this.source = source;
    }

    /** A copy of the source's children, each a {@link #copyOf}. */
    abstract C copyChildren();

    abstract int sizeOf(C children);

    final JsonNode unopened() {
      return opened == null ? source : null;
    }

    final C open() {
      C c = opened;
      if (c != null) {
        return c;
      }
      c = copyChildren();
      @SuppressWarnings("unchecked") // the field's type
      C won = (C) OPENED.compareAndExchange(this, null, c);
      return won == null ? c : won;
    }

    public int size() {
      C c = opened;
      return c == null ? source.size() : sizeOf(c);
    }

    public boolean isEmpty() {
      return size() == 0;
    }

    @Override
    public boolean equals(Object o) {
      return o == this || open().equals(o);
    }

    @Override
    public int hashCode() {
      return open().hashCode();
    }

    @Override
    public String toString() {
      return open().toString();
    }
  }

  /** A mapping's fields, copied into a {@link LinkedHashMap} when first used. */
  static final class Fields extends Opening<LinkedHashMap<String, JsonNode>>
      implements Map<String, JsonNode> {
    Fields(ObjectNode source) {
      super(source);
    }

    @Override
    LinkedHashMap<String, JsonNode> copyChildren() {
      LinkedHashMap<String, JsonNode> m = LinkedHashMap.newLinkedHashMap(source.size());
      for (Map.Entry<String, JsonNode> field : source.properties()) {
        m.put(field.getKey(), copyOf(field.getValue()));
      }
      return m;
    }

    @Override
    int sizeOf(LinkedHashMap<String, JsonNode> children) {
      return children.size();
    }

    @Override
    public boolean containsKey(Object key) {
      return open().containsKey(key);
    }

    @Override
    public boolean containsValue(Object value) {
      return open().containsValue(value);
    }

    @Override
    public JsonNode get(Object key) {
      return open().get(key);
    }

    @Override
    public JsonNode put(String key, JsonNode value) {
      return open().put(key, value);
    }

    @Override
    public JsonNode remove(Object key) {
      return open().remove(key);
    }

    @Override
    public void putAll(Map<? extends String, ? extends JsonNode> m) {
      open().putAll(m);
    }

    @Override
    public void clear() {
      open().clear();
    }

    @Override
    public Set<String> keySet() {
      return open().keySet();
    }

    @Override
    public Collection<JsonNode> values() {
      return open().values();
    }

    @Override
    public Set<Map.Entry<String, JsonNode>> entrySet() {
      return open().entrySet();
    }

    @Override
    public JsonNode getOrDefault(Object key, JsonNode defaultValue) {
      return open().getOrDefault(key, defaultValue);
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super JsonNode> action) {
      open().forEach(action);
    }

    @Override
    public void replaceAll(BiFunction<? super String, ? super JsonNode, ? extends JsonNode> f) {
      open().replaceAll(f);
    }

    @Override
    public JsonNode putIfAbsent(String key, JsonNode value) {
      return open().putIfAbsent(key, value);
    }

    @Override
    public boolean remove(Object key, Object value) {
      return open().remove(key, value);
    }

    @Override
    public boolean replace(String key, JsonNode oldValue, JsonNode newValue) {
      return open().replace(key, oldValue, newValue);
    }

    @Override
    public JsonNode replace(String key, JsonNode value) {
      return open().replace(key, value);
    }

    @Override
    public JsonNode computeIfAbsent(
        String key, Function<? super String, ? extends JsonNode> mappingFunction) {
      return open().computeIfAbsent(key, mappingFunction);
    }

    @Override
    public JsonNode computeIfPresent(
        String key, BiFunction<? super String, ? super JsonNode, ? extends JsonNode> f) {
      return open().computeIfPresent(key, f);
    }

    @Override
    public JsonNode compute(
        String key, BiFunction<? super String, ? super JsonNode, ? extends JsonNode> f) {
      return open().compute(key, f);
    }

    @Override
    public JsonNode merge(
        String key,
        JsonNode value,
        BiFunction<? super JsonNode, ? super JsonNode, ? extends JsonNode> f) {
      return open().merge(key, value, f);
    }
  }

  /** A sequence's items, copied into an {@link ArrayList} when first used. */
  static final class Items extends Opening<ArrayList<JsonNode>> implements List<JsonNode> {
    Items(ArrayNode source) {
      super(source);
    }

    @Override
    ArrayList<JsonNode> copyChildren() {
      ArrayList<JsonNode> l = new ArrayList<>(source.size());
      for (JsonNode item : source) {
        l.add(copyOf(item));
      }
      return l;
    }

    @Override
    int sizeOf(ArrayList<JsonNode> children) {
      return children.size();
    }

    @Override
    public boolean contains(Object o) {
      return open().contains(o);
    }

    @Override
    public Iterator<JsonNode> iterator() {
      return open().iterator();
    }

    @Override
    public Object[] toArray() {
      return open().toArray();
    }

    @Override
    public <A> A[] toArray(A[] a) {
      return open().toArray(a);
    }

    @Override
    public <A> A[] toArray(IntFunction<A[]> generator) {
      return open().toArray(generator);
    }

    @Override
    public boolean add(JsonNode e) {
      return open().add(e);
    }

    @Override
    public boolean remove(Object o) {
      return open().remove(o);
    }

    @Override
    public boolean containsAll(Collection<?> c) {
      return open().containsAll(c);
    }

    @Override
    public boolean addAll(Collection<? extends JsonNode> c) {
      return open().addAll(c);
    }

    @Override
    public boolean addAll(int index, Collection<? extends JsonNode> c) {
      return open().addAll(index, c);
    }

    @Override
    public boolean removeAll(Collection<?> c) {
      return open().removeAll(c);
    }

    @Override
    public boolean retainAll(Collection<?> c) {
      return open().retainAll(c);
    }

    @Override
    public boolean removeIf(Predicate<? super JsonNode> filter) {
      return open().removeIf(filter);
    }

    @Override
    public void replaceAll(UnaryOperator<JsonNode> operator) {
      open().replaceAll(operator);
    }

    @Override
    public void sort(Comparator<? super JsonNode> c) {
      open().sort(c);
    }

    @Override
    public void forEach(Consumer<? super JsonNode> action) {
      open().forEach(action);
    }

    @Override
    public Spliterator<JsonNode> spliterator() {
      return open().spliterator();
    }

    @Override
    public void clear() {
      open().clear();
    }

    @Override
    public JsonNode get(int index) {
      return open().get(index);
    }

    @Override
    public JsonNode set(int index, JsonNode element) {
      return open().set(index, element);
    }

    @Override
    public void add(int index, JsonNode element) {
      open().add(index, element);
    }

    @Override
    public JsonNode remove(int index) {
      return open().remove(index);
    }

    @Override
    public int indexOf(Object o) {
      return open().indexOf(o);
    }

    @Override
    public int lastIndexOf(Object o) {
      return open().lastIndexOf(o);
    }

    @Override
    public ListIterator<JsonNode> listIterator() {
      return open().listIterator();
    }

    @Override
    public ListIterator<JsonNode> listIterator(int index) {
      return open().listIterator(index);
    }

    @Override
    public List<JsonNode> subList(int fromIndex, int toIndex) {
      return open().subList(fromIndex, toIndex);
    }

    @Override
    public void addFirst(JsonNode e) {
      open().addFirst(e);
    }

    @Override
    public void addLast(JsonNode e) {
      open().addLast(e);
    }

    @Override
    public JsonNode getFirst() {
      return open().getFirst();
    }

    @Override
    public JsonNode getLast() {
      return open().getLast();
    }

    @Override
    public JsonNode removeFirst() {
      return open().removeFirst();
    }

    @Override
    public JsonNode removeLast() {
      return open().removeLast();
    }

    @Override
    public List<JsonNode> reversed() {
      return open().reversed();
    }
  }
}
