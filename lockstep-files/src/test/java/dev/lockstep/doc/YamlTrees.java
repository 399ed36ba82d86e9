package dev.lockstep.doc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.Random;

/** Random JSON trees made to trip a YAML writer: strings YAML would read as something else. */
final class YamlTrees {
  private YamlTrees() {}

  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Pieces random strings are made of. */
  static final String[] PIECES = {
    "a",
    "Z",
    "worker-7",
    "idle",
    "task number 3",
    "x.y/z",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    ":",
    ": ",
    " #",
    "#",
    "- ",
    "-",
    "?",
    ",",
    "[",
    "]",
    "{",
    "}",
    "&a",
    "*a",
    "!tag",
    "!!str",
    "%",
    "@",
    "`",
    "|",
    ">",
    "'",
    "\"",
    "\\",
    "=",
    "<<",
    "---",
    "...",
    "~",
    "y",
    "n",
    "Y",
    "N",
    "yes",
    "No",
    "ON",
    "off",
    "true",
    "False",
    "NULL",
    "null",
    "Null",
    "nan",
    ".nan",
    "NaN",
    ".inf",
    "-.Inf",
    "Infinity",
    "0",
    "1",
    "-1",
    "+1",
    "007",
    "0x1F",
    "0o17",
    "0b101",
    "1_000",
    "1e3",
    "1.5",
    "-2.5e-3",
    "1:30",
    "190:20:30",
    "2026-01-21",
    "2026-01-21T10:00:00Z",
    "1.0E+10",
    "é",
    "ß",
    "日本語",
    "кот",
    "עברית",
    "🚀",
    "\uD83D\uDE00",
    "\u0000",
    "\u0007",
    "\u001b",
    "\u007f",
    "\u0085",
    "\u00a0",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffd",
    "\uffff"
  };

  static String string(Random r) {
    int n = r.nextInt(5);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(PIECES[r.nextInt(PIECES.length)]);
    }
    return sb.toString();
  }

  static JsonNode scalar(Random r) {
    return switch (r.nextInt(12)) {
      case 0 -> NODES.numberNode(r.nextInt());
      case 1 -> NODES.numberNode(r.nextLong());
      case 2 -> NODES.numberNode(new BigInteger(64 + r.nextInt(200), r).negate());
      case 3 -> NODES.numberNode(new BigInteger(64 + r.nextInt(200), r));
      case 4 -> NODES.numberNode(r.nextInt(100) - 50);
      case 5 -> NODES.numberNode(specialDouble(r));
      case 6 -> NODES.numberNode(Double.longBitsToDouble(r.nextLong()) % 1e300);
      case 7 -> NODES.booleanNode(r.nextBoolean());
      case 8 -> NODES.nullNode();
      default -> NODES.textNode(string(r));
    };
  }

  private static double specialDouble(Random r) {
    double[] values = {
      0.0,
      -0.0,
      1.0,
      -1.5,
      0.1,
      1e10,
      1e-10,
      1e300,
      -1e-300,
      Double.MIN_VALUE,
      Double.MAX_VALUE,
      123456789.123,
      1e21,
      1e7,
      1e-3
    };
    double d = values[r.nextInt(values.length)];
    return Double.isNaN(d) ? 0.0 : d;
  }

  static JsonNode node(Random r, int depth) {
    int kind = depth <= 0 ? 2 : r.nextInt(4);
    if (kind == 0) {
      return object(r, depth - 1);
    }
    if (kind == 1) {
      ArrayNode a = NODES.arrayNode();
      int n = r.nextInt(5);
      for (int i = 0; i < n; i++) {
        a.add(node(r, depth - 1));
      }
      return a;
    }
    return scalar(r);
  }

  static ObjectNode object(Random r, int depth) {
    ObjectNode o = NODES.objectNode();
    int n = r.nextInt(6);
    for (int i = 0; i < n; i++) {
      o.set(string(r), node(r, depth));
    }
    return o;
  }

  /** An object nested {@code depth} containers deep, alternating objects and arrays. */
  static ObjectNode deep(int depth) {
    JsonNode inner = NODES.textNode("bottom");
    for (int i = 1; i < depth; i++) {
      inner = i % 2 == 0 ? NODES.arrayNode().add(inner) : NODES.objectNode().set("k" + i, inner);
    }
    return NODES.objectNode().set("top", inner);
  }

  /** A random edit of {@code tree} (in place): set, remove or reorder some fields. */
  static void mutate(Random r, ObjectNode tree) {
    int edits = 1 + r.nextInt(3);
    for (int e = 0; e < edits; e++) {
      ObjectNode target = tree;
      // walk down a random path of objects
      while (r.nextInt(3) > 0) {
        ObjectNode next = null;
        for (JsonNode child : target) {
          if (child.isObject() && r.nextBoolean()) {
            next = (ObjectNode) child;
            break;
          }
        }
        if (next == null) {
          break;
        }
        target = next;
      }
      String key = target.isEmpty() || r.nextInt(3) == 0 ? string(r) : anyKey(r, target);
      switch (r.nextInt(4)) {
        case 0 -> target.remove(key);
        case 1 -> { // move to the end: a reordering
          JsonNode v = target.remove(key);
          target.set(key, v == null ? scalar(r) : v);
        }
        default -> target.set(key, node(r, 2));
      }
    }
  }

  private static String anyKey(Random r, ObjectNode o) {
    int pick = r.nextInt(o.size());
    var it = o.fieldNames();
    for (int i = 0; i < pick; i++) {
      it.next();
    }
    return it.next();
  }

  /** Every container node of {@code tree}, by identity. */
  static java.util.Set<JsonNode> containers(JsonNode tree) {
    java.util.Set<JsonNode> all =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    collect(tree, all);
    return all;
  }

  private static void collect(JsonNode node, java.util.Set<JsonNode> into) {
    if (node.isContainerNode()) {
      into.add(node);
      for (JsonNode child : node) {
        collect(child, into);
      }
    }
  }
}
