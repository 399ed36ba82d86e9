package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class DocPathTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode tree(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  @Test
  void getsNestedKeysAndArrayIndexes() throws Exception {
    ObjectNode root = tree("{\"a\":{\"b\":[10,{\"c\":\"x\"}]},\"n\":3}");
    assertEquals("x", DocPath.print(DocPath.get(root, "a.b.1.c")));
    assertEquals("10", DocPath.print(DocPath.get(root, "a.b.0")));
    assertEquals("[10,{\"c\":\"x\"}]", DocPath.print(DocPath.get(root, "a.b")));
    assertNull(DocPath.get(root, "a.missing.deeper"));
    assertNull(DocPath.get(root, "n.x"));
  }

  @Test
  void setsCreatingObjectsOnTheWay() throws Exception {
    ObjectNode root = tree("{\"a\":{\"list\":[1]}}");
    DocPath.set(root, "workers.w1.status", DocPath.parseValue("k", "busy"));
    DocPath.set(root, "a.list.1", DocPath.parseValue("k", "2"));
    DocPath.set(root, "a.list.0", DocPath.parseValue("k", "true"));
    assertEquals(
        "{\"a\":{\"list\":[true,2]},\"workers\":{\"w1\":{\"status\":\"busy\"}}}",
        DocPath.print(root));
  }

  @Test
  void refusesToCrossScalarsOrSkipArraySlots() throws Exception {
    ObjectNode root = tree("{\"n\":3,\"list\":[1]}");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DocPath.set(root, "n.x", DocPath.parseValue("k", "1")));
    assertTrue(e.getMessage().contains("'n' is a number"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> DocPath.set(root, "list.5", DocPath.parseValue("k", "1")));
    assertThrows(
        IllegalArgumentException.class,
        () -> DocPath.set(root, "list.x", DocPath.parseValue("k", "1")));
    assertThrows(IllegalArgumentException.class, () -> DocPath.get(root, "a..b"));
    assertThrows(IllegalArgumentException.class, () -> DocPath.get(root, ""));
  }

  @Test
  void valuesAreYamlScalars() {
    assertTrue(DocPath.parseValue("k", "3").isInt());
    assertTrue(DocPath.parseValue("k", "2.5").isDouble());
    assertTrue(DocPath.parseValue("k", "true").isBoolean());
    assertTrue(DocPath.parseValue("k", "null").isNull());
    assertTrue(DocPath.parseValue("k", "[a, b]").isArray());
    JsonNode text = DocPath.parseValue("k", "hello world");
    assertEquals("hello world", text.textValue());
    assertEquals("", DocPath.parseValue("k", "").textValue());
    assertEquals("a: b: c", DocPath.parseValue("k", "a: b: c").textValue());
  }
}
