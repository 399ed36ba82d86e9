package dev.lockstep.doc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;

/**
 * Private deep copies of a document's stored tree, for the operators that may change them, made
 * ahead of time: while a batch waits for the disk, a helper thread copies the tree it is committing
 * as many times as the batch had commits, and the next batch's operators take those copies instead
 * of copying on the committing thread, which then only brings a copy up to date with what changed
 * since ({@link #rebase}).
 *
 * <p>Guarantees. {@link #copyOf} always returns a tree equal to its argument (key order included)
 * that shares no container with it, with any stored tree or with any other copy handed out: each
 * prepared copy is handed out at most once, and only the containers of a prepared copy or new ones
 * end up in the result. Value nodes are shared, as {@link JsonNode#deepCopy()} shares them (they
 * are immutable). Correctness never depends on which copies are in stock, only the cost does: a
 * copy of any earlier tree is rebased onto the tree asked for.
 *
 * <p>Implementation notes. The trees copied must never change (stored trees: see {@link
 * YamlEmitter#normalized(JsonNode, JsonNode)}). A prepared copy remembers its source; {@link
 * #rebase} walks the tree asked for and the source side by side and keeps the copy's subtree
 * wherever the two trees hold the same node (by identity: stored trees share unchanged nodes), so
 * for an update that changed a few fields it replaces only those. The stock is bounded ({@link
 * #MAX_COPIES} copies, {@link #MAX_BYTES} of document per stock) and replaced by each {@link
 * #prepare}; a helper still copying an older tree stops at its next copy. Threading: any thread may
 * call any method; the copies cross threads through a concurrent queue.
 */
final class TreeCopies {
  /** At most this many copies in stock. */
  static final int MAX_COPIES = 16;

  /** At most this many bytes of document (as encoded) in stock: large documents get fewer. */
  static final int MAX_BYTES = 64 * 1024;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** A copy and the tree it is a copy of. */
  private record Prepared(JsonNode source, JsonNode copy) {}

  private final ConcurrentLinkedQueue<Prepared> stock = new ConcurrentLinkedQueue<>();
  private volatile JsonNode preparing; // the tree the helper copies now (null: none)

  /**
   * Starts making up to {@code count} copies of {@code tree} (encoded in {@code size} bytes) on a
   * helper thread, replacing the stock. The tree must never change from now on.
   */
  void prepare(JsonNode tree, int count, int size) {
    int n = Math.min(Math.min(count, MAX_COPIES), MAX_BYTES / Math.max(1, size));
    preparing = tree;
    stock.clear();
    if (n <= 0) {
      return;
    }
    try {
      CommitWriter.HELPERS.execute(
          () -> {
            for (int i = 0; i < n && preparing == tree; i++) {
              stock.add(new Prepared(tree, copy(tree)));
            }
          });
    } catch (RejectedExecutionException noThread) {
      // no helper: the operators copy for themselves
    }
  }

  /** Drops the stock (the engine closes, or forgets its state). */
  void clear() {
    preparing = null;
    stock.clear();
  }

  /** A private deep copy of {@code tree} (which never changes): a prepared one, or a new one. */
  JsonNode copyOf(JsonNode tree) {
    Prepared p = stock.poll();
    return p == null ? copy(tree) : rebase(p.copy(), p.source(), tree);
  }

  /**
   * A deep copy of {@code node} like {@link JsonNode#deepCopy()}, with maps and lists allocated at
   * their final size.
   */
  static JsonNode copy(JsonNode node) {
    if (node instanceof ObjectNode object) {
      LinkedHashMap<String, JsonNode> fields = LinkedHashMap.newLinkedHashMap(object.size());
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        fields.put(field.getKey(), copy(field.getValue()));
      }
      return new ObjectNode(NODES, fields);
    }
    if (node instanceof ArrayNode array) {
      List<JsonNode> items = new ArrayList<>(array.size());
      for (JsonNode item : array) {
        items.add(copy(item));
      }
      return new ArrayNode(NODES, items);
    }
    return node.deepCopy(); // a value node: itself
  }

  /**
   * A private copy of {@code tree}, made from {@code copy}, a private copy of {@code source} (both
   * trees never change), which it consumes: where {@code tree} holds {@code source}'s node at the
   * same place (same key at the same position, same index), {@code copy}'s subtree there is kept;
   * everything else is copied from {@code tree}.
   */
  static JsonNode rebase(JsonNode copy, JsonNode source, JsonNode tree) {
    if (tree == source) {
      return copy;
    }
    if (tree.size() == source.size()) {
      if (tree.isObject() && source.isObject() && copy.isObject()) {
        return rebaseObject((ObjectNode) copy, source, tree);
      }
      if (tree.isArray() && source.isArray() && copy.isArray()) {
        ArrayNode items = (ArrayNode) copy;
        for (int i = 0; i < tree.size(); i++) {
          JsonNode now = tree.get(i);
          JsonNode then = source.get(i);
          if (now != then) {
            items.set(i, rebase(items.get(i), then, now));
          }
        }
        return items;
      }
    }
    return copy(tree);
  }

  private static JsonNode rebaseObject(ObjectNode copy, JsonNode source, JsonNode tree) {
    Iterator<Map.Entry<String, JsonNode>> then = source.properties().iterator();
    for (Map.Entry<String, JsonNode> field : tree.properties()) {
      Map.Entry<String, JsonNode> old = then.next();
      String key = field.getKey();
      if (!key.equals(old.getKey())) {
        return copy(tree); // keys moved: what was rebased so far is dropped with the copy
      }
      JsonNode now = field.getValue();
      if (now != old.getValue()) {
        copy.replace(key, rebase(copy.get(key), old.getValue(), now)); // keeps the key's place
      }
    }
    return copy;
  }
}
