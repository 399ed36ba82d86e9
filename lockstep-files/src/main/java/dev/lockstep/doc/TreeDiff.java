package dev.lockstep.doc;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * An RFC 6902 JSON Patch from one tree to another, as JSON text, in one walk: {@code remove},
 * {@code add} and {@code replace} operations only, which any JSON Patch implementation applies.
 *
 * <p>Implementation notes. Objects are compared key by key; if applying the removals and additions
 * would not reproduce the target's key order (keys reordered, or a new key before an old one), or
 * if a changed key holds {@code ~0} or {@code ~1} (zjsonpatch 0.4.16, which replays patches,
 * unescapes {@code ~00} and {@code ~01} wrongly), the whole object is replaced, so that replaying
 * the patch rebuilds the target with its key order (and so its encoding). Arrays are compared index
 * by index, then grown by {@code add} or shrunk by {@code remove} from the end; an insertion near
 * the front thus costs one {@code replace} per shifted element, a size price paid for a linear-time
 * diff. Values are written compactly, as Jackson writes them (finite numbers, strings with
 * Jackson's escapes); anything else falls back to Jackson's own {@code toString}.
 */
final class TreeDiff {
  private final StringBuilder out = new StringBuilder(256);
  private final StringBuilder path = new StringBuilder(64);
  private boolean empty = true;

  private TreeDiff() {}

  /** A key that must not appear in a path (see {@link #object}). */
  private static final class UnsafeKey extends Exception {
    private static final long serialVersionUID = 1L;
    static final UnsafeKey INSTANCE = new UnsafeKey();

    private UnsafeKey() {
      super("a key holding ~0 or ~1", null, false, false);
    }
  }

  /** The patch turning {@code from} into {@code to}, as a JSON array. */
  static String diff(JsonNode from, JsonNode to) {
    TreeDiff d = new TreeDiff();
    d.out.append('[');
    d.node(from, to);
    return d.out.append(']').toString();
  }

  private void node(JsonNode from, JsonNode to) {
    if (from == to) {
      return;
    }
    if (from.isObject() && to.isObject()) {
      object((ObjectNode) from, (ObjectNode) to);
    } else if (from.isArray() && to.isArray()) {
      array(from, to);
    } else if (!from.equals(to)) {
      op("replace", to);
    }
  }

  private void object(ObjectNode from, ObjectNode to) {
    if (!sameOrder(from, to)) {
      op("replace", to); // even if equal as maps (which ignores order): the order is the encoding
      return;
    }
    int mark = path.length();
    int outMark = out.length();
    boolean wasEmpty = empty;
    try {
      fields(from, to, mark);
    } catch (UnsafeKey e) {
      // zjsonpatch 0.4.16 (History's replay) unescapes "~00" and "~01" wrongly: keys holding
      // "~0" or "~1" never go in a path; their object is replaced instead
      out.setLength(outMark);
      path.setLength(mark);
      empty = wasEmpty;
      op("replace", to);
    }
  }

  private void fields(ObjectNode from, ObjectNode to, int mark) throws UnsafeKey {
    int kept = 0;
    for (Map.Entry<String, JsonNode> field : from.properties()) {
      String key = field.getKey();
      JsonNode before = field.getValue();
      JsonNode after = to.get(key);
      if (after != null) {
        kept++;
      }
      if (after == null) {
        appendKey(safe(key));
        op("remove", null);
        path.setLength(mark);
      } else if (before != after
          && (before.isContainerNode() || after.isContainerNode() || !before.equals(after))) {
        if (unsafe(key)) {
          if (!before.equals(after) || !before.toString().equals(after.toString())) {
            throw UnsafeKey.INSTANCE;
          }
          continue; // identical, key order included
        }
        appendKey(key);
        node(before, after);
        path.setLength(mark);
      }
    }
    if (to.size() > kept) {
      for (Map.Entry<String, JsonNode> field : to.properties()) {
        if (!from.has(field.getKey())) {
          appendKey(safe(field.getKey()));
          op("add", field.getValue());
          path.setLength(mark);
        }
      }
    }
  }

  private static boolean unsafe(String key) {
    return key.contains("~0") || key.contains("~1");
  }

  private static String safe(String key) throws UnsafeKey {
    if (unsafe(key)) {
      throw UnsafeKey.INSTANCE;
    }
    return key;
  }

  /**
   * Whether the keys {@code to} shares with {@code from} come first in {@code to}, in {@code
   * from}'s order, so removals then appended additions give {@code to}'s order.
   */
  private static boolean sameOrder(ObjectNode from, ObjectNode to) {
    Iterator<String> target = to.fieldNames();
    for (Iterator<String> it = from.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!to.has(key)) {
        continue;
      }
      if (!target.hasNext() || !target.next().equals(key)) {
        return false;
      }
    }
    while (target.hasNext()) {
      if (from.has(target.next())) {
        return false;
      }
    }
    return true;
  }

  private void array(JsonNode from, JsonNode to) {
    int mark = path.length();
    int common = Math.min(from.size(), to.size());
    for (int i = 0; i < common; i++) {
      path.append('/').append(i);
      node(from.get(i), to.get(i));
      path.setLength(mark);
    }
    for (int i = common; i < to.size(); i++) {
      path.append('/').append(i);
      op("add", to.get(i));
      path.setLength(mark);
    }
    for (int i = from.size() - 1; i >= common; i--) {
      path.append('/').append(i);
      op("remove", null);
      path.setLength(mark);
    }
  }

  private void op(String name, JsonNode value) {
    if (!empty) {
      out.append(',');
    }
    empty = false;
    out.append("{\"op\":\"").append(name).append("\",\"path\":");
    string(path);
    if (value != null) {
      out.append(",\"value\":");
      value(value);
    }
    out.append('}');
  }

  private void value(JsonNode v) {
    switch (v.getNodeType()) {
      case STRING -> string(v.textValue());
      case BOOLEAN -> out.append(v.booleanValue());
      case NULL -> out.append("null");
      case NUMBER -> {
        if (v.isInt() || v.isLong()) {
          out.append(v.longValue());
        } else if (v.isDouble() && Double.isFinite(v.doubleValue())) {
          out.append(v.doubleValue());
        } else {
          out.append(v); // Jackson's own rendering
        }
      }
      case OBJECT -> {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> field : v.properties()) {
          if (!first) {
            out.append(',');
          }
          first = false;
          string(field.getKey());
          out.append(':');
          value(field.getValue());
        }
        out.append('}');
      }
      case ARRAY -> {
        out.append('[');
        for (int i = 0; i < v.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          value(v.get(i));
        }
        out.append(']');
      }
      default -> out.append(v);
    }
  }

  private void string(CharSequence s) {
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, out);
    out.append('"');
  }

  /**
   * Appends {@code /key} with RFC 6901 escapes ({@code ~} as {@code ~0}, {@code /} as {@code ~1}).
   */
  private void appendKey(String key) {
    path.append('/');
    if (key.indexOf('~') < 0 && key.indexOf('/') < 0) {
      path.append(key);
      return;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '~') {
        path.append("~0");
      } else if (c == '/') {
        path.append("~1");
      } else {
        path.append(c);
      }
    }
  }
}
