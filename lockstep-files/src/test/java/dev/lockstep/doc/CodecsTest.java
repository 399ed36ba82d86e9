package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodecsTest {
  /** A typed document: the revision is a record component. */
  record Plan(long revision, String phase, List<String> done) {}

  @TempDir Path dir;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void untypedYamlKeepsOrderAndTheRevision() {
    DocumentCodec<ObjectNode> yaml = DocumentCodecs.yaml();
    ObjectNode doc = yaml.decode(utf8("phase: build\nrevision: 4\ndone:\n  - a\n"), "s.yaml");
    assertEquals(4, yaml.revision(doc));
    ObjectNode next = yaml.withRevision(doc, 5);
    assertEquals(4, yaml.revision(doc), "withRevision never mutates its argument");
    String text = new String(yaml.encode(next), StandardCharsets.UTF_8);
    assertEquals("phase: build\nrevision: 5\ndone:\n  - a\n", text);
    assertEquals(
        text, new String(yaml.encode(yaml.decode(utf8(text), "s")), StandardCharsets.UTF_8));
    ObjectNode fresh = yaml.withRevision(yaml.decode(utf8("a: 1\n"), "s"), 1);
    assertEquals("revision: 1\na: 1\n", new String(yaml.encode(fresh), StandardCharsets.UTF_8));
  }

  @Test
  void invalidDocumentsNameTheFileAndLine() {
    InvalidDocumentException e =
        assertThrows(
            InvalidDocumentException.class,
            () -> DocumentCodecs.yaml().decode(utf8("a: 1\nb: [x\nc: 2\n"), "state.yaml"));
    assertTrue(e.getMessage().contains("state.yaml:"), e.getMessage());
    assertTrue(e.problems().get(0).line() > 1, e.getMessage());
    // One line per problem: SnakeYAML's context lines (in 'reader', the caret) are dropped.
    assertEquals(1, e.problems().get(0).message().lines().count(), e.getMessage());
    assertTrue(!e.problems().get(0).message().contains("in 'reader'"), e.getMessage());
    InvalidDocumentException list =
        assertThrows(
            InvalidDocumentException.class,
            () -> DocumentCodecs.json().decode(utf8("[1, 2]"), "state.json"));
    assertTrue(list.getMessage().contains("top level must be a mapping"), list.getMessage());
    InvalidDocumentException rev =
        assertThrows(
            InvalidDocumentException.class,
            () -> DocumentCodecs.json().decode(utf8("{\"revision\": \"x\"}"), "state.json"));
    assertTrue(rev.getMessage().contains("'revision'"), rev.getMessage());
  }

  /**
   * A key given twice is refused with its line: read last-wins, the earlier value would vanish from
   * the next commit unseen (Jackson's default and PyYAML's both keep the last).
   */
  @Test
  void aKeyGivenTwiceIsRefusedWithItsLine() {
    InvalidDocumentException yaml =
        assertThrows(
            InvalidDocumentException.class,
            () ->
                DocumentCodecs.yaml()
                    .decode(utf8("revision: 3\nowner: ann\nnested:\n  a: 1\n  a: 2\n"), "s.yaml"));
    assertEquals(5, yaml.problems().get(0).line(), yaml.getMessage());
    assertTrue(yaml.getMessage().contains("key 'a' appears twice"), yaml.getMessage());
    InvalidDocumentException json =
        assertThrows(
            InvalidDocumentException.class,
            () -> DocumentCodecs.json().decode(utf8("{\n\"x\": 1,\n\"x\": 2\n}\n"), "s.json"));
    assertEquals(3, json.problems().get(0).line(), json.getMessage());
    assertTrue(json.getMessage().contains("key 'x' appears twice"), json.getMessage());
    InvalidDocumentException typed =
        assertThrows(
            InvalidDocumentException.class,
            () ->
                DocumentCodecs.yaml(Plan.class)
                    .decode(utf8("revision: 1\nphase: a\nphase: b\ndone: []\n"), "plan.yaml"));
    assertTrue(typed.getMessage().contains("key 'phase' appears twice"), typed.getMessage());
  }

  @Test
  void typedRecordsThroughAStore() throws Exception {
    for (DocumentCodec<Plan> codec :
        List.of(DocumentCodecs.json(Plan.class), DocumentCodecs.yaml(Plan.class))) {
      Path file = dir.resolve("plan." + codec.format());
      try (DocumentStore<Plan> store = DocumentStore.open(file, codec)) {
        store.createIfAbsent(new Plan(0, "plan", List.of()));
        Versioned<Plan> v =
            store.update(
                p -> {
                  List<String> done = new ArrayList<>(p.done());
                  done.add("design");
                  return new Plan(p.revision(), "build", done);
                });
        assertEquals(2, v.revision());
        assertEquals(new Plan(2, "build", List.of("design")), v.value());
        assertEquals(v.value(), store.read().value());
        assertEquals(new Plan(1, "plan", List.of()), store.at(1).value());
        assertTrue(store.history().get(1).patch().isPresent());
        InvalidDocumentException unknown =
            assertThrows(
                InvalidDocumentException.class,
                () -> codec.decode(utf8("{\"revision\":1,\"bogus\":2}"), file.toString()));
        assertTrue(unknown.getMessage().contains("Plan"), unknown.getMessage());
      }
    }
  }

  @Test
  void forPathChoosesByExtension() {
    assertEquals("json", DocumentCodecs.forPath(Path.of("a/state.json")).format());
    assertEquals("yaml", DocumentCodecs.forPath(Path.of("state.yaml")).format());
    assertEquals("yaml", DocumentCodecs.forPath(Path.of("state.YML")).format());
    assertEquals("markdown", DocumentCodecs.forPath(Path.of("STATE.md")).format());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> DocumentCodecs.forPath(Path.of("STATE.txt")));
    assertTrue(e.getMessage().contains("STATE.txt"), e.getMessage());
  }

  /** One value, read as the YAML codec reads a document's values (PyYAML's YAML 1.1). */
  @Test
  void yamlValueReadsAsTheYamlCodecReadsDocuments() {
    assertEquals("1e3", DocumentCodecs.yamlValue("1e3").orElseThrow().textValue());
    assertEquals(90, DocumentCodecs.yamlValue("1:30").orElseThrow().intValue());
    assertEquals(1000.0, DocumentCodecs.yamlValue("1.0e+3").orElseThrow().doubleValue());
    assertTrue(DocumentCodecs.yamlValue("on").orElseThrow().booleanValue());
    assertEquals(15, DocumentCodecs.yamlValue("017").orElseThrow().intValue());
    assertEquals("yes", DocumentCodecs.yamlValue("\"yes\"").orElseThrow().textValue());
    assertEquals("1e3", DocumentCodecs.yamlValue("'1e3'").orElseThrow().textValue());
    assertEquals("{\"a\":1}", DocumentCodecs.yamlValue("{\"a\":1}").orElseThrow().toString());
    assertEquals("[1,\"1e3\"]", DocumentCodecs.yamlValue("[1, 1e3]").orElseThrow().toString());
    assertTrue(DocumentCodecs.yamlValue("").isEmpty());
    assertTrue(DocumentCodecs.yamlValue("# only a comment").isEmpty());
    assertTrue(DocumentCodecs.yamlValue("a: b: c").isEmpty(), "not YAML");
    for (String[] c :
        new String[][] {
          {"2024-01-02", "2024-01-02 is a timestamp"},
          {".inf", "(inf)"},
          {"[1, .nan]", "'[1]': .nan is a float"},
          {"{a: {1: x}}", "key '1' in 'a'"},
          {"{a: 1, a: 2}", "key 'a' appears twice"},
          {"!!float 1e400", "Infinity is not a number"}
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> DocumentCodecs.yamlValue(c[0]), c[0]);
      assertTrue(e.getMessage().contains(c[1]), e.getMessage());
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
  }
}
