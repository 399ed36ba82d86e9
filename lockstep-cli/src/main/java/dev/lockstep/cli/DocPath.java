package dev.lockstep.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.lockstep.doc.DocumentCodecs;
import java.util.List;

/**
 * Dotted key paths of {@code lockstep doc} ({@code workers.w1.status}, {@code items.0}) over JSON
 * trees, and the YAML scalar values of {@code doc set KEY=VALUE}. Parsing and printing only: the
 * document itself is read and committed by the library's {@code DocumentStore}.
 */
final class DocPath {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DocPath() {}

  /** The segments of {@code key}; empty segments ({@code a..b}, a leading dot) are refused. */
  static List<String> segments(String key) {
    if (key.isEmpty()) {
      throw new IllegalArgumentException("empty KEY");
    }
    List<String> parts = List.of(key.split("\\.", -1));
    for (String p : parts) {
      if (p.isEmpty()) {
        throw new IllegalArgumentException("KEY '" + key + "' has an empty segment");
      }
    }
    return parts;
  }

  /** The node at {@code key}, or null when there is none. Numeric segments index arrays. */
  static JsonNode get(JsonNode root, String key) {
    JsonNode node = root;
    for (String part : segments(key)) {
      if (node == null) {
        return null;
      }
      node = node.isArray() && isIndex(part) ? node.get(Integer.parseInt(part)) : node.get(part);
    }
    return node;
  }

  /**
   * Sets {@code key} to {@code value} in {@code root}, creating missing objects on the way.
   *
   * @throws IllegalArgumentException when a segment crosses a scalar, or an array index is out of
   *     range (an index equal to the size appends)
   */
  static void set(ObjectNode root, String key, JsonNode value) {
    List<String> parts = segments(key);
    JsonNode node = root;
    for (int i = 0; i < parts.size() - 1; i++) {
      String part = parts.get(i);
      JsonNode next = child(node, part, key);
      if (next == null || next.isNull()) {
        ObjectNode created = JsonNodeFactory.instance.objectNode();
        put(node, part, created, key);
        next = created;
      } else if (!next.isContainerNode()) {
        throw new IllegalArgumentException(
            "KEY '"
                + key
                + "': '"
                + String.join(".", parts.subList(0, i + 1))
                + "' is a "
                + next.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
                + ", not an object");
      }
      node = next;
    }
    put(node, parts.get(parts.size() - 1), value, key);
  }

  private static JsonNode child(JsonNode node, String part, String key) {
    if (node.isArray()) {
      if (!isIndex(part)) {
        throw new IllegalArgumentException("KEY '" + key + "': '" + part + "' indexes an array");
      }
      return node.get(Integer.parseInt(part));
    }
    return node.get(part);
  }

  private static void put(JsonNode node, String part, JsonNode value, String key) {
    if (node instanceof ObjectNode object) {
      object.set(part, value);
    } else if (node instanceof ArrayNode array) {
      if (!isIndex(part)) {
        throw new IllegalArgumentException("KEY '" + key + "': '" + part + "' indexes an array");
      }
      int index = Integer.parseInt(part);
      if (index < array.size()) {
        array.set(index, value);
      } else if (index == array.size()) {
        array.add(value);
      } else {
        throw new IllegalArgumentException(
            "KEY '"
                + key
                + "': index "
                + index
                + " is past the array's end ("
                + array.size()
                + ")");
      }
    } else {
      throw new IllegalArgumentException("KEY '" + key + "' crosses a scalar");
    }
  }

  private static boolean isIndex(String part) {
    return part.length() < 10 && part.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /**
   * {@code VALUE} of {@code KEY=VALUE} read as YAML, as the YAML codec reads a file's values
   * (PyYAML's YAML 1.1, {@link DocumentCodecs#yamlValue}): {@code 3} is a number, {@code true} and
   * {@code yes} booleans, {@code null} null, {@code 1:30} the number 90, {@code [a, b]} a list,
   * {@code 1e3}, {@code '1e3'} and anything that is not YAML (and the empty string) text.
   *
   * @throws IllegalArgumentException naming KEY and VALUE, for what reading a YAML file refuses: a
   *     timestamp ({@code 2024-01-02}), {@code .inf}, {@code .nan}, a float beyond a double, a key
   *     that is not a string ({@code {1: a}}), a key given twice
   */
  static JsonNode parseValue(String key, String text) {
    if (text.isEmpty()) {
      return TextNode.valueOf("");
    }
    try {
      return DocumentCodecs.yamlValue(text).orElseGet(() -> TextNode.valueOf(text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "KEY '" + key + "', VALUE '" + text + "': " + e.getMessage(), e);
    }
  }

  /** Trees as one line of JSON; text plainly, without quotes; other scalars as JSON spells them. */
  static String print(JsonNode node) {
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isValueNode()) {
      return node.toString();
    }
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
