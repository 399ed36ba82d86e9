package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state's tree is a normalized copy of the operator's result that shares the previous state's
 * unchanged nodes ({@link YamlEmitter#normalized(JsonNode, JsonNode)}): it equals the plain copy
 * (key order included), shares no container with the operator's result (so a caller's later change
 * to a node it put in never reaches the stored state), leaves the previous tree as it was, and does
 * share the unchanged subtrees. Shown to fail on two broken variants: sharing the result's own
 * unchanged containers instead of the previous tree's ("a container of the operator's result is in
 * the stored tree", and the store-level test's "the caller's later change reached the document"),
 * and sharing nothing ("an unchanged mapping was copied").
 */
class SharedTreeTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @TempDir Path dir;

  @Test
  void equalsThePlainCopySharesOnlyThePreviousTreeAndLeavesItAlone() {
    Random r = new Random(YamlEmitterPropertyTest.SEED + 11);
    int shared = 0;
    for (int c = 0; c < YamlEmitterPropertyTest.CASES; c++) {
      JsonNode prev = YamlEmitter.normalized(YamlTrees.object(r, 1 + r.nextInt(4)));
      String prevText = prev.toString();
      ObjectNode result = (ObjectNode) prev.deepCopy(); // what an operator gets, then changes
      YamlTrees.mutate(r, result);
      growOrShrinkAnArray(r, result);
      JsonNode plain = YamlEmitter.normalized(result);
      JsonNode tree = YamlEmitter.normalized(result, prev);
      String label = "case " + c + ": " + prevText + " -> " + result;
      assertTrue(YamlEmitter.same(plain, tree), label);
      assertEquals(plain.toString(), tree.toString(), "key order, " + label);
      assertEquals(prevText, prev.toString(), "the previous tree changed, " + label);
      Set<JsonNode> theirs = containers(result);
      for (JsonNode mine : containers(tree)) {
        assertFalse(
            theirs.contains(mine),
            "a container of the operator's result is in the stored tree, " + label);
      }
      String before = tree.toString();
      YamlTrees.mutate(r, result); // the caller changes what it holds
      assertEquals(before, tree.toString(), label);
      Set<JsonNode> old = containers(prev);
      for (JsonNode mine : containers(tree)) {
        shared += old.contains(mine) ? 1 : 0;
      }
    }
    assertTrue(shared > YamlEmitterPropertyTest.CASES, "subtrees shared: " + shared);
  }

  @Test
  void anUnchangedMappingIsSharedNotCopied() {
    ObjectNode prev = NODES.objectNode().put("revision", 1).put("counter", 0);
    ObjectNode workers = prev.putObject("workers");
    workers.putObject("w0").put("status", "idle");
    workers.putObject("w1").put("status", "busy");
    ObjectNode result = prev.deepCopy().put("revision", 2).put("counter", 1);
    ((ObjectNode) result.get("workers").get("w1")).put("status", "idle");
    JsonNode tree = YamlEmitter.normalized(result, prev);
    assertSame(
        prev.get("workers").get("w0"),
        tree.get("workers").get("w0"),
        "an unchanged mapping was copied");
    assertTrue(tree.get("workers") != prev.get("workers"), "a changed mapping was shared");
    assertEquals("idle", tree.get("workers").get("w1").get("status").asText());
    assertEquals("busy", prev.get("workers").get("w1").get("status").asText());
  }

  @Test
  void aCallersLaterChangeToANodeItPutInNeverReachesTheDocument() throws Exception {
    ObjectNode mine = NODES.objectNode().put("x", 1);
    try (DocumentStore<ObjectNode> store =
        DocumentStore.open(dir.resolve("state.yaml"), DocumentCodecs.yaml())) {
      ObjectNode initial = NODES.objectNode().put("counter", 0);
      initial.putObject("nested").put("a", 1);
      store.createIfAbsent(initial);
      Versioned<ObjectNode> got = store.update(d -> (ObjectNode) d.set("mine", mine));
      mine.put("x", 2); // the caller's node, after the commit
      got.value().put("counter", 99); // the caller's answer, an unchanged mapping in it too
      ((ObjectNode) got.value().get("nested")).put("a", 42);
      Versioned<ObjectNode> next =
          store.update(d -> d.put("counter", d.get("counter").asInt() + 1));
      assertEquals(
          1,
          next.value().get("mine").get("x").asInt(),
          "the caller's later change reached the document");
      assertEquals(1, next.value().get("counter").asInt());
      assertEquals(
          1,
          next.value().get("nested").get("a").asInt(),
          "the answer's change reached the document");
      assertEquals(1, store.read().value().get("mine").get("x").asInt());
      assertEquals(
          next.value().toString(),
          store.at(next.revision()).value().toString(),
          "the log replays the document");
    }
  }

  private static void growOrShrinkAnArray(Random r, ObjectNode tree) {
    for (JsonNode child : tree) {
      if (child instanceof ArrayNode array && r.nextBoolean()) {
        if (!array.isEmpty() && r.nextBoolean()) {
          array.remove(array.size() - 1);
        } else {
          array.add(YamlTrees.scalar(r));
        }
        return;
      }
    }
  }

  private static Set<JsonNode> containers(JsonNode tree) {
    return YamlTrees.containers(tree);
  }
}
