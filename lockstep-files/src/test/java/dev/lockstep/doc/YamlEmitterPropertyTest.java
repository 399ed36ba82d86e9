package dev.lockstep.doc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.JsonPatch;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The YAML codec's trusted encoder ({@link YamlEmitter}) against Jackson YAML's decoder and PyYAML,
 * and the change log's patches ({@link TreeDiff}) against an independent JSON Patch implementation,
 * over random trees from fixed seeds. {@code -Dlockstep.yaml.cases=N} runs N cases per property
 * (default 1,000).
 *
 * <p>Shown to fail: with {@link YamlEmitter#plain} accepting {@code :} and {@code #} inside plain
 * scalars, {@link #emittedTreesDecodeToThemselves} failed in its first cases (SnakeYAML: "while
 * scanning a simple key"); with {@code yes} and {@code on} removed from the reserved words, both
 * {@link #emittedTreesDecodeToThemselves} and {@link #pyYamlReadsTheSameValues} failed (PyYAML read
 * {@code yes} and {@code ON} as {@code True}); with {@link TreeDiff} not checking key order, {@link
 * #patchesRebuildTheTargetWithItsKeyOrder} failed at case 14 (a moved key: an empty patch); with
 * {@link TreeDiff} leaving out removals, {@link #randomUpdatesThroughTheStoreReplayExactly} failed
 * at revision 3 ({@code at(3)} still held a removed key); with {@link YamlEmitter#same} using
 * Jackson's {@code equals} (which ignores key order), {@link
 * #reusingAnEarlierEmissionGivesTheSameBytes} failed (a nested key moved to the end kept its old
 * place).
 */
class YamlEmitterPropertyTest {
  static final int CASES = Integer.getInteger("lockstep.yaml.cases", 1000);
  static final long SEED = Long.getLong("lockstep.yaml.seed", 20261123L);
  static final ObjectMapper YAML =
      new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void emittedTreesDecodeToThemselves() throws Exception {
    Random r = new Random(SEED);
    int emitted = 0;
    for (int c = 0; c < CASES; c++) {
      ObjectNode tree = YamlTrees.object(r, 1 + r.nextInt(5));
      byte[] bytes;
      try {
        bytes = YamlEmitter.emit(tree);
      } catch (YamlEmitter.Unsupported e) {
        continue; // lone surrogates: Jackson's writer and the validating path take these
      }
      emitted++;
      String text = new String(bytes, UTF_8);
      JsonNode back = YAML.readTree(bytes);
      assertEquals(YamlEmitter.normalized(tree), back, "case " + c + ":\n" + text);
      assertEquals(
          YamlEmitter.normalized(tree).toString(), back.toString(), "key order, case " + c);
      assertArrayEquals(bytes, YamlEmitter.emit((ObjectNode) back), "stable, case " + c);
    }
    assertTrue(emitted > CASES * 9 / 10, "most trees are supported: " + emitted);
  }

  /**
   * An emission that reuses an earlier one's unchanged fields ({@link YamlEmitter#emit(ObjectNode,
   * YamlEmitter.Emitted)}) gives exactly the bytes of a fresh one, along chains of random edits
   * (set, remove, move a key to the end, at any depth) where each emission reuses the one before.
   */
  @Test
  void reusingAnEarlierEmissionGivesTheSameBytes() throws Exception {
    Random r = new Random(SEED + 3);
    int reused = 0;
    for (int c = 0; c < CASES; c++) {
      ObjectNode tree = (ObjectNode) YamlEmitter.normalized(YamlTrees.object(r, 1 + r.nextInt(4)));
      YamlEmitter.Emitted previous = null;
      for (int step = 0; step < 4; step++) {
        byte[] fresh;
        try {
          fresh = YamlEmitter.emit(tree);
        } catch (YamlEmitter.Unsupported e) {
          YamlEmitter.Emitted none = null;
          try {
            none = YamlEmitter.emit(tree, previous);
          } catch (YamlEmitter.Unsupported expected) {
            // refused alike
          }
          assertNull(none, "case " + c + " step " + step + ": refused afresh, not when reused");
          break;
        }
        YamlEmitter.Emitted emitted = YamlEmitter.emit(tree, previous);
        assertEquals(
            new String(fresh, UTF_8),
            new String(emitted.bytes(), UTF_8),
            "case " + c + " step " + step);
        reused += previous == null ? 0 : 1;
        previous = emitted;
        tree = tree.deepCopy(); // the emitted tree must not change: edit a copy
        YamlTrees.mutate(r, tree);
      }
    }
    assertTrue(reused > CASES, "chains of reuse: " + reused);
  }

  @Test
  void theCodecSkipsValidationOnlyForWhatItTrusts() {
    JacksonCodec<ObjectNode> yaml = JacksonCodec.yaml(null);
    ObjectNode fine = YamlTrees.object(new Random(SEED), 3);
    fine.put("revision", 3);
    assertNotNull(yaml.encodeTrusted(fine));
    assertNull(JacksonCodec.json(null).encodeTrusted(fine), "JSON is validated by decoding");
    assertNull(Workflow.codec() instanceof TreeCodec<?> ? "" : null, "Markdown is not a tree");
    ObjectNode[] unsupported = {
      YamlTrees.NODES.objectNode().put("x", Double.NaN),
      YamlTrees.NODES.objectNode().put("x", Double.POSITIVE_INFINITY),
      YamlTrees.NODES.objectNode().put("x", new BigDecimal("1.10")),
      YamlTrees.NODES.objectNode().put("x", 1.5f),
      YamlTrees.NODES.objectNode().put("x", "lone \uD800 surrogate"),
      YamlTrees.NODES.objectNode().put("x".repeat(YamlEmitter.MAX_KEY + 1), 1),
      YamlTrees.deep(YamlEmitter.MAX_DEPTH + 1),
    };
    for (ObjectNode tree : unsupported) {
      assertNull(yaml.encodeTrusted(tree), tree.toString());
    }
    ObjectNode deepest = YamlTrees.deep(YamlEmitter.MAX_DEPTH);
    TreeCodec.Encoded enc = yaml.encodeTrusted(deepest);
    assertNotNull(enc);
    assertEquals(deepest, yaml.decode(enc.bytes(), "deep.yaml"), "the deepest trusted tree reads");
  }

  @Test
  void patchesRebuildTheTargetWithItsKeyOrder() throws Exception {
    Random r = new Random(SEED + 1);
    for (int c = 0; c < CASES; c++) {
      ObjectNode from = YamlTrees.object(r, 1 + r.nextInt(4));
      ObjectNode to = from.deepCopy();
      YamlTrees.mutate(r, to);
      String patch = TreeDiff.diff(from, to);
      JsonNode applied = JsonPatch.apply(JSON.readTree(patch), from);
      assertEquals(to.toString(), applied.toString(), "case " + c + ": " + patch);
      if (from.toString().equals(to.toString())) {
        assertEquals("[]", patch, "case " + c);
      }
    }
  }

  /**
   * A sample of emitted documents read by PyYAML's {@code safe_load} (YAML 1.1: {@code yes}, {@code
   * on}, {@code 1:30}, {@code 0o17} are not strings there) gives the same values, types included,
   * as Python's {@code json} reading the tree.
   */
  @Test
  void pyYamlReadsTheSameValues() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    Assumptions.assumeTrue(Files.isExecutable(python), "needs /usr/bin/python3 with python3-yaml");
    Random r = new Random(SEED + 2);
    List<Path> files = new ArrayList<>();
    for (int c = 0; files.size() < Math.min(CASES, 300); c++) {
      ObjectNode tree = YamlTrees.object(r, 1 + r.nextInt(4));
      byte[] bytes;
      try {
        bytes = YamlEmitter.emit(tree);
      } catch (YamlEmitter.Unsupported e) {
        continue;
      }
      Path yaml = dir.resolve(c + ".yaml");
      Files.write(yaml, bytes);
      Files.writeString(dir.resolve(c + ".json"), JSON.writeValueAsString(tree), UTF_8);
      files.add(yaml);
    }
    String script =
        """
        import json, sys, yaml
        def same(a, b):
            if type(a) is not type(b):
                return False
            if isinstance(a, dict):
                return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
            if isinstance(a, list):
                return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
            return a == b or (a != a and b != b)
        bad = 0
        for name in sys.argv[1:]:
            with open(name, encoding='utf-8') as f:
                got = yaml.safe_load(f)
            with open(name[:-5] + '.json', encoding='utf-8') as f:
                want = json.load(f)
            if not same(got, want):
                bad += 1
                print('MISMATCH', name, repr(got)[:300], repr(want)[:300])
        print('checked', len(sys.argv) - 1, 'bad', bad)
        """;
    Path py = dir.resolve("check.py");
    Files.writeString(py, script, UTF_8);
    List<String> command = new ArrayList<>(List.of(python.toString(), py.toString()));
    files.forEach(f -> command.add(f.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python did not finish");
      assertEquals(0, p.exitValue(), out);
      assertTrue(out.contains("checked " + files.size() + " bad 0"), out);
    } finally {
      p.destroyForcibly();
    }
  }

  /**
   * Random edits committed through a store (trusted encoder, patches in the log): every revision's
   * file decodes to the value its caller was answered, re-encodes to the same bytes, and {@code
   * at(revision)} replays it from the log, key order included.
   */
  @Test
  void randomUpdatesThroughTheStoreReplayExactly() throws Exception {
    Random r = new Random(SEED + 3);
    Path file = dir.resolve("state.yaml");
    DocumentCodec<ObjectNode> codec = DocumentCodecs.yaml();
    List<Versioned<ObjectNode>> answers = new ArrayList<>();
    try (DocumentStore<ObjectNode> store =
        DocumentStore.open(
            file,
            codec,
            DocumentOptions.defaults().withDurability(dev.lockstep.file.Durability.NONE))) {
      answers.add(store.createIfAbsent(YamlTrees.object(r, 3)));
      int updates = Math.max(20, CASES / 5);
      for (int i = 0; i < updates; i++) {
        Versioned<ObjectNode> v =
            store.update(
                doc -> {
                  YamlTrees.mutate(r, doc);
                  if (r.nextInt(10) == 0) {
                    doc.put("price", new BigDecimal("1.10")); // not trusted: validated path
                  }
                  return r.nextInt(8) == 0 ? doc.deepCopy() : doc;
                });
        answers.add(v);
        byte[] bytes = Files.readAllBytes(file);
        ObjectNode decoded = codec.decode(bytes, "state.yaml");
        assertEquals(v.revision(), codec.revision(decoded), "update " + i);
        assertArrayEquals(bytes, codec.encode(decoded), "stable encoding, update " + i);
      }
      for (Versioned<ObjectNode> v : answers) {
        ObjectNode expected = codec.decode(codec.encode(v.value()), "answer");
        assertEquals(
            expected.toString(),
            store.at(v.revision()).value().toString(),
            "revision " + v.revision());
      }
      assertTrue(store.verify().ok(), store.verify().toString());
    }
  }
}
