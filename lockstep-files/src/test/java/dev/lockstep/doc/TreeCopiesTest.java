package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The operators' inputs made ahead ({@link TreeCopies}): a prepared copy of an earlier state's
 * tree, rebased onto the current state's, equals the current tree (key order included), shares no
 * container with any stored tree, and is changed by its operator without reaching them; no copy is
 * handed out twice. Shown to fail on a broken variant of {@link TreeCopies#rebase} that returns the
 * stored subtree where it is unchanged instead of the copy's ("a container of a stored tree is in
 * the copy").
 */
class TreeCopiesTest {

  @Test
  void aRebasedCopyEqualsTheTreeAndSharesNoStoredContainer() {
    Random r = new Random(YamlEmitterPropertyTest.SEED + 23);
    int kept = 0;
    for (int c = 0; c < YamlEmitterPropertyTest.CASES; c++) {
      JsonNode source = YamlEmitter.normalized(YamlTrees.object(r, 1 + r.nextInt(4)));
      JsonNode copy = TreeCopies.copy(source);
      // the next states, as the engine stores them: sharing the unchanged nodes
      JsonNode tree = source;
      for (int step = r.nextInt(3); step > 0; step--) {
        ObjectNode changed = (ObjectNode) TreeCopies.copy(tree);
        YamlTrees.mutate(r, changed);
        tree = YamlEmitter.normalized(changed, tree);
      }
      String label = "case " + c + ": " + source + " -> " + tree;
      String sourceText = source.toString();
      String treeText = tree.toString();
      Set<JsonNode> copied = containers(copy);
      JsonNode rebased = TreeCopies.rebase(copy, source, tree);
      assertTrue(YamlEmitter.same(tree, rebased), label);
      assertEquals(treeText, rebased.toString(), "key order, " + label);
      Set<JsonNode> stored = containers(source);
      stored.addAll(containers(tree));
      for (JsonNode mine : containers(rebased)) {
        assertFalse(stored.contains(mine), "a container of a stored tree is in the copy, " + label);
        kept += copied.contains(mine) ? 1 : 0;
      }
      if (rebased instanceof ObjectNode operand) {
        YamlTrees.mutate(r, operand); // what the operator does with it
      }
      assertEquals(sourceText, source.toString(), "the source changed, " + label);
      assertEquals(treeText, tree.toString(), "the tree changed, " + label);
    }
    assertTrue(kept > YamlEmitterPropertyTest.CASES, "containers of the copies kept: " + kept);
  }

  @Test
  void theStockHandsOutEachCopyOnceAndCopiesWhenEmpty() throws Exception {
    JsonNode tree = YamlEmitter.normalized(YamlTrees.object(new Random(7), 3));
    TreeCopies copies = new TreeCopies();
    copies.prepare(tree, 4, 100);
    List<JsonNode> got = new ArrayList<>();
    Set<JsonNode> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Set<JsonNode> stored = containers(tree);
    for (int i = 0; i < 12; i++) { // more than prepared: the rest are made on the spot
      JsonNode c = copies.copyOf(tree);
      assertEquals(tree.toString(), c.toString());
      assertNotSame(tree, c);
      for (JsonNode container : containers(c)) {
        assertTrue(seen.add(container), "a container was handed out twice");
        assertFalse(stored.contains(container), "a container of the stored tree was handed out");
      }
      got.add(c);
      Thread.sleep(1); // let the helper stock some
    }
    assertEquals(12, got.size());
  }

  @Test
  void anUnchangedSubtreeOfTheCopyIsKept() {
    ObjectNode source = YamlTrees.NODES.objectNode().put("revision", 1).put("counter", 0);
    source.putObject("workers").putObject("w0").put("status", "idle");
    JsonNode copy = TreeCopies.copy(source);
    ObjectNode next = (ObjectNode) TreeCopies.copy(source);
    next.put("revision", 2).put("counter", 1);
    JsonNode tree = YamlEmitter.normalized(next, source);
    JsonNode rebased = TreeCopies.rebase(copy, source, tree);
    assertSame(copy, rebased, "the root was not rebased in place");
    assertSame(copy.get("workers"), rebased.get("workers"), "an unchanged subtree was copied");
    assertEquals(tree.toString(), rebased.toString());
  }

  private static Set<JsonNode> containers(JsonNode tree) {
    return YamlTrees.containers(tree);
  }
}
