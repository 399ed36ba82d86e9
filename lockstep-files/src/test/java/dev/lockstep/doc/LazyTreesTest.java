package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The operators' copy-on-open inputs ({@link LazyTrees}): whatever an operator does to a copy, it
 * ends equal to the same edits done to {@link JsonNode#deepCopy()} of the stored tree (key order
 * included), shares no container with the stored tree, and never changes it; what the encoder makes
 * of it is byte for byte what it makes of the eager copy, and an unopened container is kept by
 * identity. Shown to fail on two broken variants: a {@code Fields} whose {@code get} hands out the
 * stored child instead of a copy of it ("the stored tree changed"), and one that opens with a plain
 * store instead of the CAS (readers of one copy got different children).
 */
class LazyTreesTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Test
  void aCopyEditedAsAnEagerCopyEndsEqualAndTheStoredTreeStaysAsItWas() {
    Random r = new Random(YamlEmitterPropertyTest.SEED + 31);
    for (int c = 0; c < YamlEmitterPropertyTest.CASES; c++) {
      JsonNode stored = YamlEmitter.normalized(YamlTrees.object(r, 1 + r.nextInt(4)));
      String storedText = stored.toString();
      Set<JsonNode> storedContainers = YamlTrees.containers(stored);
      ObjectNode lazy = (ObjectNode) LazyTrees.copyOf(stored);
      ObjectNode eager = stored.deepCopy();
      long seed = r.nextLong();
      int edits = r.nextInt(4);
      for (int e = 0; e < edits; e++) { // the same edits on both: their contents are equal
        YamlTrees.mutate(new Random(seed + e), lazy);
        YamlTrees.mutate(new Random(seed + e), eager);
      }
      String label = "case " + c + ": " + storedText + ", " + edits + " edits";
      assertEquals(storedText, stored.toString(), "the stored tree changed, " + label);
      // normalized and emitted with the stored tree as the previous state, as a commit does
      JsonNode fromLazy = YamlEmitter.normalized(lazy, stored);
      JsonNode fromEager = YamlEmitter.normalized(eager, stored);
      assertTrue(YamlEmitter.same(fromEager, fromLazy), label);
      assertEquals(emitted(fromEager, stored), emitted(fromLazy, stored), label);
      assertEquals(eager, lazy, label);
      assertEquals(eager.toString(), lazy.toString(), "key order, " + label);
      assertEquals(eager.hashCode(), lazy.hashCode(), label);
      for (JsonNode mine : YamlTrees.containers(lazy)) { // opens every container
        assertFalse(storedContainers.contains(mine), "a stored container in the copy, " + label);
      }
      YamlTrees.mutate(r, lazy); // a caller changing its reply later
      assertEquals(storedText, stored.toString(), "the stored tree changed, " + label);
      assertTrue(YamlEmitter.same(fromEager, fromLazy), "the stored result changed, " + label);
    }
  }

  @Test
  void anUnopenedContainerIsKeptByIdentityAndOnlyThePathToAnEditIsOpened() throws Exception {
    ObjectNode stored = NODES.objectNode();
    stored.put("revision", 7);
    ObjectNode workers = stored.putObject("workers");
    for (int i = 0; i < 50; i++) {
      workers.putObject("w" + i).put("status", "idle");
    }
    stored.putArray("list").add(1).addObject().put("a", "b");
    JsonNode normalizedStored = YamlEmitter.normalized(stored);

    ObjectNode copy = (ObjectNode) LazyTrees.copyOf(normalizedStored);
    assertSame(normalizedStored, LazyTrees.unopened(copy));
    assertEquals(3, copy.size(), "size() answers without opening");
    assertEquals(
        new ObjectMapper().writeValueAsString(normalizedStored),
        new ObjectMapper().writeValueAsString(copy),
        "writing it");
    assertSame(normalizedStored, LazyTrees.unopened(copy), "size() and writing leave it unopened");
    assertSame(normalizedStored, YamlEmitter.normalized(copy, normalizedStored));
    assertSame(normalizedStored, YamlEmitter.normalized(copy));

    copy.put("revision", 8);
    ((ObjectNode) copy.get("workers").get("w3")).put("status", "busy");
    assertNull(LazyTrees.unopened(copy));
    assertNull(LazyTrees.unopened(copy.get("workers")));
    assertNotNull(LazyTrees.unopened(copy.get("workers").get("w4")), "a sibling stays unopened");
    assertNotNull(LazyTrees.unopened(copy.get("list")));

    JsonNode next = YamlEmitter.normalized(copy, normalizedStored);
    assertSame(normalizedStored.get("list"), next.get("list"));
    assertSame(normalizedStored.get("workers").get("w4"), next.get("workers").get("w4"));
    assertEquals("busy", next.get("workers").get("w3").get("status").asText());
    assertEquals("idle", normalizedStored.get("workers").get("w3").get("status").asText());

    // moved elsewhere: still equal, sharing the stored nodes it has in common with prev
    ObjectNode moved = (ObjectNode) LazyTrees.copyOf(normalizedStored);
    moved.set("again", moved.get("list"));
    JsonNode withMove = YamlEmitter.normalized(moved, normalizedStored);
    assertEquals(normalizedStored.get("list"), withMove.get("again"));
  }

  @Test
  void jacksonSeesAnOrdinaryTree() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode stored =
        YamlEmitter.normalized(
            json.readTree("{\"a\":{\"b\":[1,{\"c\":null}],\"d\":\"e\"},\"f\":2}"));
    ObjectNode copy = (ObjectNode) LazyTrees.copyOf(stored);
    assertEquals(json.writeValueAsString(stored), json.writeValueAsString(copy));
    assertEquals(stored, copy);
    assertEquals(copy, stored);
    assertEquals(stored.deepCopy(), copy.deepCopy());
    ArrayNode list = (ArrayNode) copy.get("a").get("b");
    list.insert(0, "x");
    list.remove(2);
    assertEquals("[\"x\",1]", list.toString());
    assertEquals("[1,{\"c\":null}]", stored.get("a").get("b").toString());
    assertEquals(List.of("a", "f"), ImmutableKeys.of(copy));
    copy.remove("a");
    assertEquals("{\"f\":2}", json.writeValueAsString(copy));
    assertEquals(2, stored.size());
  }

  @Test
  void readersOfOneCopyOnSeveralThreadsGetTheSameChildren() throws Exception {
    ObjectNode stored = NODES.objectNode();
    for (int i = 0; i < 64; i++) {
      stored.putObject("k" + i).put("v", i);
    }
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 20_000; round++) {
        ObjectNode copy = (ObjectNode) LazyTrees.copyOf(stored);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<JsonNode>> got = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          got.add(
              pool.submit(
                  () -> {
                    go.await();
                    return copy.get("k63");
                  }));
        }
        go.countDown();
        JsonNode first = got.get(0).get();
        for (Future<JsonNode> f : got) {
          assertSame(first, f.get(), "round " + round + ": readers got different children");
        }
        ((ObjectNode) first).put("v", -1); // a change through one reader's child is the copy's
        assertEquals(-1, copy.get("k63").get("v").asInt(), "round " + round);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(63, stored.get("k63").get("v").asInt());
  }

  /** What a commit's encoder writes for {@code tree} after {@code previous}, or why it declined. */
  private static String emitted(JsonNode tree, JsonNode previous) {
    try {
      YamlEmitter.Emitted before = YamlEmitter.emit((ObjectNode) previous, null);
      return new String(
          YamlEmitter.emit((ObjectNode) tree, before).bytes(), StandardCharsets.UTF_8);
    } catch (YamlEmitter.Unsupported e) {
      return "unsupported: " + e.getMessage();
    }
  }

  /** Field names in order. */
  private static final class ImmutableKeys {
    static List<String> of(JsonNode node) {
      List<String> keys = new ArrayList<>();
      node.fieldNames().forEachRemaining(keys::add);
      return keys;
    }
  }
}
