package dev.lockstep.doc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fast block-style YAML writer for JSON trees whose output Jackson YAML (SnakeYAML) and PyYAML
 * {@code safe_load} read back as the same tree (up to the kind of integer node; see {@link
 * #normalized}).
 *
 * <p>Implementation notes. Quoting is conservative: a string is written plain only if it starts
 * with an ASCII letter, holds only {@code [A-Za-z0-9_ ./-]}, does not end with a space and is not a
 * word YAML 1.1 reads as something else ({@code y n yes no on off true false null} and the like, in
 * any case); everything else is double-quoted with JSON-style escapes for {@code "}, {@code \},
 * control characters, C1 controls, the YAML line separators and non-characters, and raw UTF-8 for
 * the rest (including characters outside the BMP). Integers are written as decimal, finite doubles
 * as {@link Double#toString} with an explicit exponent sign (PyYAML needs it), booleans and null as
 * {@code true false null}, empty containers as {@code {}} and {@code []}. Whatever it cannot
 * promise to round trip (non-finite or non-double floating point, binary or POJO nodes, lone
 * surrogates, nesting deeper than {@value #MAX_DEPTH}, keys longer than {@value #MAX_KEY} chars —
 * YAML limits implicit keys to 1024 — integers longer than {@value #MAX_NUMBER} digits, documents
 * over {@value #MAX_CHARS} chars) makes it throw {@link Unsupported}, and the caller then falls
 * back to Jackson's writer and validates by decoding. The output is a pure function of the tree's
 * values, so {@code emit(decode(emit(t)))} equals {@code emit(t)}.
 */
final class YamlEmitter {
  static final int MAX_DEPTH = 40;
  static final int MAX_KEY = 1000;
  static final int MAX_NUMBER = 100;
  static final int MAX_CHARS = 1 << 20;
  private static final String SPACES = " ".repeat(64);

  private static final List<String> RESERVED =
      List.of(
          "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf", "infinity");

  /** The tree holds something this writer does not promise to round trip. */
  static final class Unsupported extends Exception {
    private static final long serialVersionUID = 1L;

    Unsupported(String message) {
      super(message, null, false, false);
    }
  }

  private final StringBuilder out = new StringBuilder(8192);

  private YamlEmitter() {}

  /** The document's YAML, UTF-8, ending with a newline. */
  static byte[] emit(ObjectNode root) throws Unsupported {
    return emit(root, null).bytes();
  }

  /**
   * An emitted document: its tree (which must not change from now on), its text and, for every
   * block mapping reached from the root through mappings, where each field's lines start.
   */
  record Emitted(byte[] bytes, ObjectNode tree, String text, Spans spans) {}

  /**
   * Where the fields of one block mapping start in the text, relative to the mapping's own start
   * ({@code starts[i]}; {@code starts[size]} is its end), and the same for each field whose value
   * is a non-empty mapping ({@code children[i]}, else null).
   */
  record Spans(int[] starts, Spans[] children) {}

  /**
   * As {@link #emit(ObjectNode)}, reusing {@code previous}'s text for every field (at any depth of
   * mappings) whose key sits at the same position and whose value is the same, key order included
   * ({@link #same}): a field's lines are a function of its key, its value and its depth alone. The
   * output equals {@code emit(root)} byte for byte; only the work differs (an update that changes a
   * few fields compares the rest instead of writing them).
   *
   * @param previous an earlier emission, or null
   */
  static Emitted emit(ObjectNode root, Emitted previous) throws Unsupported {
    YamlEmitter e = new YamlEmitter();
    Spans spans = null;
    if (root.isEmpty()) {
      e.out.append("{}\n");
    } else if (previous == null || previous.spans() == null) {
      spans = e.mapping(root, 0, false, 1, null, null, null, 0);
    } else {
      spans = e.mapping(root, 0, false, 1, previous.tree(), previous.spans(), previous.text(), 0);
    }
    if (e.out.length() > MAX_CHARS) {
      throw new Unsupported("document longer than " + MAX_CHARS + " chars");
    }
    String text = e.out.toString();
    return new Emitted(text.getBytes(StandardCharsets.UTF_8), root, text, spans);
  }

  /**
   * Order-sensitive deep equality with Jackson's scalar equality (an {@code IntNode} never equals a
   * {@code LongNode}): two values the emitter writes alike whenever this holds. Jackson's own
   * {@code equals} ignores key order, which the output does not.
   */
  static boolean same(JsonNode a, JsonNode b) {
    if (a == b) {
      return true;
    }
    if (a.getNodeType() != b.getNodeType() || a.size() != b.size()) {
      return false;
    }
    if (a.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> other = b.properties().iterator();
      for (Map.Entry<String, JsonNode> field : a.properties()) {
        Map.Entry<String, JsonNode> o = other.next();
        if (!field.getKey().equals(o.getKey()) || !same(field.getValue(), o.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (a.isArray()) {
      for (int i = 0; i < a.size(); i++) {
        if (!same(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /**
   * A block mapping; with {@code prev} (the mapping at the same place in the previous emission,
   * starting at {@code prevStart} in {@code prevText}), reusing its fields' lines where it can.
   *
   * @return where the fields start, or null for a mapping inlined in a sequence item (not reused)
   */
  private Spans mapping(
      JsonNode map,
      int indent,
      boolean inlineFirst,
      int depth,
      JsonNode prev,
      Spans prevSpans,
      String prevText,
      int prevStart)
      throws Unsupported {
    depth(depth);
    int n = map.size();
    boolean tracked = !inlineFirst; // mappings in sequences are written afresh every time
    int start = out.length();
    int[] starts = tracked ? new int[n + 1] : null;
    Spans[] children = tracked ? new Spans[n] : null;
    Iterator<Map.Entry<String, JsonNode>> before =
        prev == null || prevSpans == null ? null : prev.properties().iterator();
    boolean first = true;
    int i = 0;
    for (Map.Entry<String, JsonNode> field : map.properties()) {
      int fieldStart = out.length();
      if (tracked) {
        starts[i] = fieldStart - start;
      }
      Map.Entry<String, JsonNode> old = before != null && before.hasNext() ? before.next() : null;
      String key = field.getKey();
      JsonNode value = field.getValue();
      JsonNode oldValue = old != null && old.getKey().equals(key) ? old.getValue() : null;
      if (oldValue != null && same(value, oldValue)) {
        // the same key at the same place with the same value: the same lines
        out.append(
            prevText, prevStart + prevSpans.starts()[i], prevStart + prevSpans.starts()[i + 1]);
        children[i] = prevSpans.children()[i];
        first = false;
        i++;
        continue;
      }
      if (!(first && inlineFirst)) {
        indent(indent);
      }
      first = false;
      if (key.length() > MAX_KEY) {
        throw new Unsupported("key longer than " + MAX_KEY + " chars");
      }
      int at = out.length();
      string(key);
      if (out.length() - at > MAX_KEY) { // escapes grow a key: YAML's limit is on what is written
        throw new Unsupported("key longer than " + MAX_KEY + " chars as written");
      }
      out.append(':');
      if (value.isContainerNode() && !value.isEmpty()) {
        out.append('\n');
        if (value.isObject()) {
          Spans oldSpans = oldValue != null ? prevSpans.children()[i] : null;
          Spans child =
              oldSpans == null
                  ? mapping(value, indent + 2, false, depth + 1, null, null, null, 0)
                  : mapping(
                      value,
                      indent + 2,
                      false,
                      depth + 1,
                      oldValue,
                      oldSpans,
                      prevText,
                      // the key's line is as long as before: same key, same indent
                      prevStart + prevSpans.starts()[i] + (out.length() - fieldStart));
          if (tracked) {
            children[i] = child;
          }
        } else {
          sequence(value, indent + 2, false, depth + 1);
        }
      } else {
        out.append(' ');
        scalar(value);
        out.append('\n');
      }
      i++;
    }
    if (!tracked) {
      return null;
    }
    starts[n] = out.length() - start;
    return new Spans(starts, children);
  }

  private void sequence(JsonNode list, int indent, boolean inlineFirst, int depth)
      throws Unsupported {
    depth(depth);
    for (int i = 0; i < list.size(); i++) {
      if (i > 0 || !inlineFirst) {
        indent(indent);
      }
      out.append("- ");
      JsonNode value = list.get(i);
      if (value.isContainerNode() && !value.isEmpty()) {
        if (value.isObject()) {
          mapping(value, indent + 2, true, depth + 1, null, null, null, 0);
        } else {
          sequence(value, indent + 2, true, depth + 1);
        }
      } else {
        scalar(value);
        out.append('\n');
      }
    }
  }

  private static void depth(int depth) throws Unsupported {
    if (depth > MAX_DEPTH) {
      throw new Unsupported("nested deeper than " + MAX_DEPTH);
    }
  }

  private void indent(int n) {
    while (n > SPACES.length()) {
      out.append(SPACES);
      n -= SPACES.length();
    }
    out.append(SPACES, 0, n);
  }

  /**
   * A deep copy of {@code tree} whose integers have the node kind Jackson's parsers give them (int
   * range: {@code IntNode}, long range: {@code LongNode}, else {@code BigIntegerNode}), so it
   * equals what decoding {@link #emit}'s output yields. Other nodes are copied as they are. An
   * unopened {@link LazyTrees} copy gives back the stored node it copies (normalized, never
   * changed: the result may share it, as it may share {@code prev}'s nodes below).
   */
  static JsonNode normalized(JsonNode tree) {
    JsonNode stored = LazyTrees.unopened(tree);
    if (stored != null) {
      return stored; // an unopened copy of a stored tree, which is normalized and never changes
    }
    return switch (tree.getNodeType()) {
      case OBJECT -> {
        ObjectNode copy = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : tree.properties()) {
          copy.set(field.getKey(), normalized(field.getValue()));
        }
        yield copy;
      }
      case ARRAY -> {
        ArrayNode copy = JsonNodeFactory.instance.arrayNode(tree.size());
        for (JsonNode item : tree) {
          copy.add(normalized(item));
        }
        yield copy;
      }
      case NUMBER -> tree.isIntegralNumber() ? integer(tree) : tree;
      default -> tree; // immutable value nodes: strings, booleans, null
    };
  }

  /**
   * {@link #normalized(JsonNode)}, sharing {@code prev}'s nodes: wherever the copy would be {@link
   * #same} as the node at the same place in {@code prev} (the same key at the same position of a
   * mapping, the same index of a sequence), that node of {@code prev} is returned instead, so an
   * update that changes a few fields copies only them and the mappings that hold them, and what
   * compares the result with {@code prev} afterwards ({@link TreeDiff}, {@link #emit(ObjectNode,
   * Emitted)}) skips the shared nodes by identity.
   *
   * <p>The result shares nothing mutable with {@code tree}: a later change to {@code tree} (or to a
   * node its caller still holds) never reaches it. It does share nodes with {@code prev}, which
   * must therefore be a normalized tree that nobody changes any more (an earlier state's tree); the
   * result must not be changed either.
   *
   * @param prev an earlier normalized tree, never changed again, or null (then a plain copy)
   */
  static JsonNode normalized(JsonNode tree, JsonNode prev) {
    if (prev == null) {
      return normalized(tree);
    }
    JsonNode stored = LazyTrees.unopened(tree);
    if (stored == prev) {
      return prev; // an unopened copy of prev: nothing in it can have changed
    }
    if (stored != null) {
      tree = stored; // moved: share what it has in common with prev
    }
    return switch (tree.getNodeType()) {
      case OBJECT -> prev.isObject() ? object(tree, prev) : normalized(tree);
      case ARRAY -> prev.isArray() ? array(tree, prev) : normalized(tree);
      default -> {
        JsonNode value = normalized(tree); // an immutable value node
        yield same(value, prev) ? prev : value;
      }
    };
  }

  private static JsonNode object(JsonNode tree, JsonNode prev) {
    Iterator<Map.Entry<String, JsonNode>> old = prev.properties().iterator();
    ObjectNode copy = null; // null while every field so far is prev's, at the same place
    int i = 0;
    for (Map.Entry<String, JsonNode> field : tree.properties()) {
      Map.Entry<String, JsonNode> o = old.hasNext() ? old.next() : null;
      String key = field.getKey();
      JsonNode value;
      if (o != null && o.getKey().equals(key)) {
        value = normalized(field.getValue(), o.getValue());
        if (copy == null && value == o.getValue()) {
          i++;
          continue;
        }
      } else {
        value = normalized(field.getValue());
      }
      if (copy == null) {
        copy = prefix(prev, i);
      }
      copy.set(key, value);
      i++;
    }
    if (copy != null) {
      return copy;
    }
    return i == prev.size() ? prev : prefix(prev, i);
  }

  /** A new mapping holding {@code prev}'s first {@code n} fields (their values shared). */
  private static ObjectNode prefix(JsonNode prev, int n) {
    ObjectNode copy = JsonNodeFactory.instance.objectNode();
    Iterator<Map.Entry<String, JsonNode>> head = prev.properties().iterator();
    for (int k = 0; k < n; k++) {
      Map.Entry<String, JsonNode> field = head.next();
      copy.set(field.getKey(), field.getValue());
    }
    return copy;
  }

  private static JsonNode array(JsonNode tree, JsonNode prev) {
    int n = tree.size();
    JsonNode[] items = new JsonNode[n];
    boolean shared = n == prev.size();
    for (int i = 0; i < n; i++) {
      JsonNode before = i < prev.size() ? prev.get(i) : null;
      items[i] = normalized(tree.get(i), before);
      shared &= items[i] == before;
    }
    if (shared) {
      return prev;
    }
    ArrayNode copy = JsonNodeFactory.instance.arrayNode(n);
    for (JsonNode item : items) {
      copy.add(item);
    }
    return copy;
  }

  private static JsonNode integer(JsonNode n) {
    if (n.isInt()) {
      return n;
    }
    if (n.canConvertToInt()) {
      return IntNode.valueOf(n.intValue());
    }
    if (n.isLong()) {
      return n;
    }
    return n.canConvertToLong() ? LongNode.valueOf(n.longValue()) : n;
  }

  /** A scalar or an empty container. */
  private void scalar(JsonNode v) throws Unsupported {
    switch (v.getNodeType()) {
      case STRING -> string(v.textValue());
      case BOOLEAN -> out.append(v.booleanValue() ? "true" : "false");
      case NULL -> out.append("null");
      case OBJECT -> out.append("{}");
      case ARRAY -> out.append("[]");
      case NUMBER -> number(v);
      default -> throw new Unsupported("a " + v.getNodeType() + " node");
    }
  }

  private void number(JsonNode v) throws Unsupported {
    if (v.isIntegralNumber()) {
      String digits = v.isBigInteger() ? v.bigIntegerValue().toString() : Long.toString(v.asLong());
      if (digits.length() > MAX_NUMBER) {
        throw new Unsupported("integer longer than " + MAX_NUMBER + " digits");
      }
      out.append(digits);
    } else if (v.isDouble() && Double.isFinite(v.doubleValue())) {
      out.append(doubleText(v.doubleValue()));
    } else {
      throw new Unsupported("number " + v + " (" + v.numberType() + ")");
    }
  }

  /** {@link Double#toString} with a sign after the exponent marker, as YAML 1.1 floats need. */
  static String doubleText(double d) {
    String s = Double.toString(d);
    int e = s.indexOf('E');
    if (e >= 0 && s.charAt(e + 1) != '-') {
      return s.substring(0, e + 1) + "+" + s.substring(e + 1);
    }
    return s;
  }

  private void string(String s) throws Unsupported {
    if (plain(s)) {
      out.append(s);
      return;
    }
    out.append('"');
    int n = s.length();
    int start = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        continue; // the common case: copied in one piece below
      }
      String escape = null;
      switch (c) {
        case '"' -> escape = "\\\"";
        case '\\' -> escape = "\\\\";
        case '\n' -> escape = "\\n";
        case '\t' -> escape = "\\t";
        case '\r' -> escape = "\\r";
        default -> {
          if (Character.isHighSurrogate(c)) {
            if (i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
              throw new Unsupported("a lone surrogate in a string");
            }
            i++; // a valid pair: raw UTF-8
          } else if (Character.isLowSurrogate(c)) {
            throw new Unsupported("a lone surrogate in a string");
          } else if (c < 0x20
              || (c >= 0x7f && c <= 0x9f)
              || c == 0x2028
              || c == 0x2029
              || c == 0xfeff
              || c >= 0xfffe) {
            escape = String.format(Locale.ROOT, "\\u%04x", (int) c);
          }
        }
      }
      if (escape != null) {
        out.append(s, start, i).append(escape);
        start = i + 1;
      }
    }
    out.append(s, start, n).append('"');
  }

  /** Whether {@code s} may be written without quotes and still read back as this string. */
  static boolean plain(String s) {
    int n = s.length();
    if (n == 0 || !letter(s.charAt(0)) || s.charAt(n - 1) == ' ') {
      return false;
    }
    for (int i = 1; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 128 || !PLAIN[c]) {
        return false;
      }
    }
    return n > 8 || !reserved(s);
  }

  /** Whether {@code s} is one of {@link #RESERVED}, in any case (without allocating). */
  private static boolean reserved(String s) {
    int n = s.length();
    if (n > 8 || n == 6 || n == 7) {
      return false;
    }
    for (String word : RESERVED) {
      if (word.length() == n && sameLowerCase(word, s)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code s} lower-cased is {@code word} (lower-case letters). Setting bit 0x20
   * lower-cases an ASCII letter and maps none of the other characters of a plain scalar onto a
   * letter.
   */
  private static boolean sameLowerCase(String word, String s) {
    for (int i = 0; i < word.length(); i++) {
      if ((s.charAt(i) | 0x20) != word.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static final boolean[] PLAIN = new boolean[128];

  static {
    for (char c = 0; c < 128; c++) {
      PLAIN[c] = letter(c) || (c >= '0' && c <= '9') || "_ ./-".indexOf(c) >= 0;
    }
  }

  private static boolean letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
}
