package dev.lockstep.doc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.lockstep.file.Durability;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * YAML a Python agent reads and writes with PyYAML ({@code safe_load}, YAML 1.1) beside a {@link
 * DocumentStore}: for every plain scalar PyYAML resolves in its own way ({@code 1e3} a string,
 * {@code yes} a boolean, {@code 017} octal, {@code 1:30} sexagesimal, {@code 2024-01-02} a date,
 * {@code .inf}, {@code {1: a}} an int key, ...) the store either reads what PyYAML reads and, after
 * a commit that changes another field, writes what PyYAML then reads as before; or refuses the
 * document, naming the file, the line and the key, and leaves it untouched. Never a silent change
 * of meaning, never a document the store reads but cannot write back.
 *
 * <p>Shown to fail before YAML 1.1 resolution ({@code JacksonCodec.Yaml11Parser}): {@code 1e3} read
 * as 1000.0 (PyYAML: the string "1e3"), {@code 1:30} read as the string "1:30" (PyYAML: 90), {@code
 * {1: a}} read with the key "1" (PyYAML: the int 1) and written back as {@code "1": a}; {@code
 * 123e4567} read as Infinity, after which every commit failed.
 */
class PyYamlScalarsTest {
  private static final Duration LIMIT = Duration.ofMinutes(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * For each YAML file named: one line of JSON, PyYAML's view of it with {@code revision} and
   * {@code touched} left out (the fields the store and this test add): a scalar as {@code [type,
   * text]}, a mapping as {@code {"map": [[key, value], ...]}}, a sequence as {@code {"seq":
   * [...]}}; or {@code {"error": ...}} when PyYAML cannot read it.
   */
  private static final String VIEW =
      """
      import json, sys, yaml
      def view(v):
          if isinstance(v, dict):
              return {'map': [[view(k), view(x)] for k, x in v.items()]}
          if isinstance(v, list):
              return {'seq': [view(x) for x in v]}
          if isinstance(v, str):
              return ['str', v]
          if isinstance(v, float):
              return ['float', repr(v)]
          return [type(v).__name__, str(v)]
      for name in sys.argv[1:]:
          try:
              with open(name, encoding='utf-8') as f:
                  data = yaml.safe_load(f)
              if isinstance(data, dict):
                  data.pop('revision', None)
                  data.pop('touched', None)
              print(json.dumps(view(data)))
          except Exception as e:
              print(json.dumps({'error': type(e).__name__ + ': ' + str(e).replace('\\n', ' ')}))
      """;

  /** Plain scalars YAML 1.1 (PyYAML) and YAML 1.2 (Jackson's default) may resolve differently. */
  private static final List<String> SCALARS =
      List.of(
          // floats: YAML 1.1 needs a dot, and a sign after the exponent marker
          "1e3",
          "1E3",
          "-1e3",
          "1e-3",
          "1.0e3",
          "1.0e+3",
          "1.0E-3",
          "-.5",
          ".5",
          "1.",
          "+1.5",
          "1_0.5",
          "123e4567",
          "1.5e400",
          "1.5e+400",
          "1.0e-400",
          // the YAML 1.1 specials
          ".inf",
          "-.inf",
          "+.inf",
          ".Inf",
          ".nan",
          ".NaN",
          "~",
          "null",
          "Null",
          "NULL",
          "yes",
          "no",
          "on",
          "off",
          "Yes",
          "NO",
          "On",
          "OFF",
          "y",
          "n",
          "True",
          "TRUE",
          "tRue",
          // integers
          "0o17",
          "017",
          "0x1F",
          "0b101",
          "1_000",
          "+12",
          "-0",
          "00",
          "08",
          "09",
          "0_7",
          "123456789012345678901234567890",
          // sexagesimal
          "1:30",
          "-1:30",
          "1:30.5",
          "190:20:30",
          "1:60",
          // timestamps
          "2024-01-02",
          "2024-01-02 10:00:00",
          "2024-01-02T10:00:00Z",
          "2024-1-2",
          // strings either way
          "text",
          "1.2.3",
          "0xG",
          "v1e3");

  @TempDir Path dir;

  @BeforeAll
  static void pythonHasYaml() throws Exception {
    assumeTrue(
        Procs.run(List.of(Procs.PYTHON, "-c", "import yaml"), LIMIT) == 0,
        "needs /usr/bin/python3 with python3-yaml");
  }

  /** The three places a scalar can be: a value, a sequence item, a key. */
  private static Map<String, String> documents() {
    Map<String, String> docs = new LinkedHashMap<>();
    int i = 0;
    for (String s : SCALARS) {
      docs.put("value" + i + ".yaml", "a: 1\nx: " + s + "\n");
      docs.put("item" + i + ".yaml", "a: 1\nlist:\n  - first\n  - " + s + "\n");
      docs.put("key" + i + ".yaml", "a: 1\nm:\n  " + s + ": v\n");
      i++;
    }
    return docs;
  }

  @Test
  void everyScalarEitherReadsAndWritesBackAsPyYamlSeesItOrIsRefusedWithFileLineAndKey()
      throws Exception {
    Map<String, String> docs = documents();
    List<Path> files = new ArrayList<>();
    for (Map.Entry<String, String> d : docs.entrySet()) {
      Path f = dir.resolve(d.getKey());
      Files.writeString(f, d.getValue(), UTF_8);
      files.add(f);
    }
    List<JsonNode> before = pyYaml(files);
    List<Path> committed = new ArrayList<>();
    List<JsonNode> expectedAfter = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      Path f = files.get(i);
      String text = docs.get(f.getFileName().toString());
      String what = f.getFileName() + " " + text.replace("\n", "\\n");
      byte[] bytes = Files.readAllBytes(f);
      try (DocumentStore<ObjectNode> store = open(f)) {
        ObjectNode read;
        try {
          read = store.read().value();
        } catch (InvalidDocumentException refused) {
          String m = refused.getMessage();
          String name = f.getFileName().toString();
          int line = name.startsWith("item") ? 4 : name.startsWith("key") ? 3 : 2;
          String key = name.startsWith("key") ? "m" : "x";
          if (!m.contains(f.getFileName() + ":" + line + ":")
              || !(m.contains("'" + key + "'") || m.contains("list[1]"))) {
            failures.add(what + ": refused without naming file, line " + line + " and key: " + m);
          }
          if (!java.util.Arrays.equals(bytes, Files.readAllBytes(f))) {
            failures.add(what + ": refused but changed");
          }
          continue;
        }
        String mismatch = mismatch(before.get(i), javaView(read));
        if (mismatch != null) {
          failures.add(what + ": Lockstep reads another value than PyYAML: " + mismatch);
          continue;
        }
        try {
          store.update(d -> d.put("touched", true));
          store.update(d -> d.put("touched", false));
        } catch (RuntimeException e) {
          failures.add(what + ": read but cannot be written back: " + e);
          continue;
        }
        committed.add(f);
        expectedAfter.add(before.get(i));
      }
    }
    List<JsonNode> after = pyYaml(committed);
    for (int i = 0; i < committed.size(); i++) {
      if (!after.get(i).equals(expectedAfter.get(i))) {
        failures.add(
            committed.get(i).getFileName()
                + ": PyYAML read "
                + expectedAfter.get(i)
                + " before Lockstep's commit and "
                + after.get(i)
                + " after it: "
                + Files.readString(committed.get(i)).replace("\n", "\\n"));
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  /** The review's first defect: a string PyYAML wrote plain stays a string. */
  @Test
  void aNumberWithoutADotIsTheStringPyYamlReads() throws Exception {
    Path f = dir.resolve("state.yaml");
    pythonDump(f, "{'x': '1e3', 'y': 1000.0}");
    assertEquals("a: 1\nx: 1e3\ny: 1000.0\n", Files.readString(f), "PyYAML writes '1e3' plain");
    try (DocumentStore<ObjectNode> store = open(f)) {
      ObjectNode doc = store.read().value();
      assertEquals(TextNode.valueOf("1e3"), doc.get("x"));
      assertEquals(1000.0, doc.get("y").doubleValue());
      store.update(d -> d.put("a", 2));
    }
    assertEquals(
        List.of(
            JSON.readTree(
                "{\"map\":[[[\"str\",\"a\"],[\"int\",\"2\"]],"
                    + "[[\"str\",\"x\"],[\"str\",\"1e3\"]],[[\"str\",\"y\"],[\"float\",\"1000.0\"]]]}")),
        pyYaml(List.of(f)));
  }

  /**
   * The review's worst defect: {@code 123e4567} (a string to PyYAML) read as Infinity made every
   * later commit fail. Now it is the string, and the document takes commit after commit.
   */
  @Test
  void aDocumentHoldingAHugeExponentStaysWritable() throws Exception {
    Path f = dir.resolve("state.yaml");
    pythonDump(f, "{'x': '123e4567'}");
    try (DocumentStore<ObjectNode> store = open(f)) {
      assertEquals(TextNode.valueOf("123e4567"), store.read().value().get("x"));
      for (int i = 0; i < 3; i++) {
        int n = i;
        store.update(d -> d.put("a", n));
      }
      assertEquals(3, store.read().revision(), "one revision per commit");
    }
    assertEquals("str", pyYaml(List.of(f)).get(0).get("map").get(1).get(1).get(0).asText());
  }

  /**
   * The review's second defect: {@code {1: a}} has an int key to PyYAML; the JSON model's keys are
   * strings, and writing {@code "1": a} back would give PyYAML a string key. Refused, naming file,
   * line and key, and the file is left as it is.
   */
  @Test
  void aKeyPyYamlReadsAsANumberIsRefusedNamingFileLineAndKey() throws Exception {
    Path f = dir.resolve("state.yaml");
    pythonDump(f, "{'a': 1, 'tasks': {1: 'a'}}");
    byte[] bytes = Files.readAllBytes(f);
    try (DocumentStore<ObjectNode> store = open(f)) {
      InvalidDocumentException e = assertThrows(InvalidDocumentException.class, store::read);
      assertTrue(e.getMessage().contains("state.yaml:3:"), e.getMessage());
      assertTrue(e.getMessage().contains("key '1'"), e.getMessage());
      assertTrue(e.getMessage().contains("'tasks'"), e.getMessage());
      assertThrows(InvalidDocumentException.class, () -> store.update(d -> d.put("a", 2)));
    }
    assertArrayEquals(bytes, Files.readAllBytes(f));
  }

  /**
   * Numbers the emitter does not write itself (a {@code BigDecimal}, a {@code float}) are still
   * numbers to PyYAML and to the store after the commit, not strings such as {@code 1E+3}.
   */
  @Test
  void decimalsAndFloatsStayNumbersForPyYaml() throws Exception {
    Path f = dir.resolve("state.yaml");
    try (DocumentStore<ObjectNode> store = open(f)) {
      store.createIfAbsent(JSON.createObjectNode());
      store.update(
          d -> {
            d.set("d", DecimalNode.valueOf(new BigDecimal("1E+3")));
            d.set("f", FloatNode.valueOf(1e10f));
            return d;
          });
      ObjectNode doc = store.read().value();
      assertInstanceOf(Double.class, doc.get("d").numberValue(), doc.toString());
      assertInstanceOf(Double.class, doc.get("f").numberValue(), doc.toString());
      assertThrows(
          IllegalArgumentException.class,
          () -> store.update(d -> d.set("d", DecimalNode.valueOf(new BigDecimal("1E+400")))));
    }
    JsonNode view = pyYaml(List.of(f)).get(0).get("map");
    assertEquals("[[\"str\",\"d\"],[\"float\",\"1000.0\"]]", view.get(0).toString());
    assertEquals("[[\"str\",\"f\"],[\"float\",\"10000000000.0\"]]", view.get(1).toString());
  }

  private static DocumentStore<ObjectNode> open(Path f) throws java.io.IOException {
    return DocumentStore.open(
        f, DocumentCodecs.yaml(), DocumentOptions.defaults().withDurability(Durability.NONE));
  }

  /** Writes {@code a: 1} and the Python dict literal's items with {@code yaml.safe_dump}. */
  private static void pythonDump(Path f, String dict) throws Exception {
    String script =
        "import sys, yaml\n"
            + "d = {'a': 1}\n"
            + "d.update("
            + dict
            + ")\n"
            + "open(sys.argv[1], 'w').write(yaml.safe_dump(d, sort_keys=False))\n";
    assertEquals(0, Procs.run(List.of(Procs.PYTHON, "-c", script, f.toString()), LIMIT));
  }

  /** PyYAML's view of each file (see {@link #VIEW}). */
  private List<JsonNode> pyYaml(List<Path> files) throws Exception {
    if (files.isEmpty()) {
      return List.of();
    }
    Path script = dir.resolve("view.py");
    Files.writeString(script, VIEW, UTF_8);
    List<String> command = new ArrayList<>(List.of(Procs.PYTHON, script.toString()));
    files.forEach(f -> command.add(f.toString()));
    try (Procs p = Procs.start(command)) {
      p.process().getOutputStream().close();
      List<String> lines = p.rest(LIMIT);
      assertEquals(0, p.waitFor(LIMIT), p.transcript());
      assertEquals(files.size(), lines.size(), p.transcript());
      List<JsonNode> views = new ArrayList<>();
      for (String l : lines) {
        views.add(JSON.readTree(l));
      }
      return views;
    }
  }

  /** Lockstep's tree in the shape of {@link #VIEW}, without {@code revision}. */
  private static JsonNode javaView(JsonNode tree) {
    if (tree.isObject()) {
      ObjectNode view = JSON.createObjectNode();
      var items = view.putArray("map");
      tree.properties()
          .forEach(
              e -> {
                if (!e.getKey().equals("revision") && !e.getKey().equals("touched")) {
                  items.addArray().add(pair("str", e.getKey())).add(javaView(e.getValue()));
                }
              });
      return view;
    }
    if (tree.isArray()) {
      ObjectNode view = JSON.createObjectNode();
      var items = view.putArray("seq");
      tree.forEach(v -> items.add(javaView(v)));
      return view;
    }
    if (tree.isTextual()) {
      return pair("str", tree.textValue());
    }
    if (tree.isBoolean()) {
      return pair("bool", tree.booleanValue() ? "True" : "False");
    }
    if (tree.isNull()) {
      return pair("NoneType", "None");
    }
    if (tree.isIntegralNumber()) {
      return pair("int", tree.bigIntegerValue().toString());
    }
    return pair("float", Double.toString(tree.doubleValue()));
  }

  private static JsonNode pair(String type, String text) {
    return JSON.createArrayNode().add(type).add(text);
  }

  /** Where PyYAML's and Lockstep's views differ (floats compared as numbers), or null. */
  private static String mismatch(JsonNode py, JsonNode java) {
    if (py.isArray() && py.size() == 2 && py.get(0).isTextual() && java.isArray()) {
      if (!py.get(0).equals(java.get(0))) {
        return "PyYAML " + py + ", Lockstep " + java;
      }
      String a = py.get(1).asText();
      String b = java.get(1).asText();
      boolean same =
          switch (py.get(0).asText()) {
            case "float" -> parse(a) == Double.parseDouble(b);
            case "int" -> new BigInteger(a).equals(new BigInteger(b));
            default -> a.equals(b);
          };
      return same ? null : "PyYAML " + py + ", Lockstep " + java;
    }
    if (py.isArray() != java.isArray()
        || py.isObject() != java.isObject()
        || py.size() != java.size()) {
      return "PyYAML " + py + ", Lockstep " + java;
    }
    if (py.isObject()) {
      String field = py.fieldNames().next();
      if (!java.has(field)) {
        return "PyYAML " + py + ", Lockstep " + java;
      }
      return mismatch(py.get(field), java.get(field));
    }
    for (int i = 0; i < py.size(); i++) {
      String m = mismatch(py.get(i), java.get(i));
      if (m != null) {
        return m;
      }
    }
    return null;
  }

  private static double parse(String pythonRepr) {
    return switch (pythonRepr) {
      case "inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      case "nan" -> Double.NaN;
      default -> Double.parseDouble(pythonRepr);
    };
  }
}
