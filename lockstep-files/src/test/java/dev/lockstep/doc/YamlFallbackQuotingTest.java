package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Strings that YAML 1.1 reads as something else survive the YAML codec's fallback to Jackson's
 * writer (taken when the fast emitter declines a document: a binary or non-finite node, over 1
 * MiB...), not only the emitter. Before the fix, a document holding the string {@code .nan} or
 * {@code .inf} and anything the emitter declines could not be committed: Jackson wrote the string
 * plain and its own parser then refused it ("Malformed numeric value '.nan'").
 */
class YamlFallbackQuotingTest {
  private static final List<String> TRICKY =
      List.of(
          ".nan",
          ".NaN",
          ".NAN",
          ".inf",
          ".Inf",
          "-.inf",
          "+.inf",
          "-.Inf",
          "+.INF",
          "0x1F",
          "0o17",
          "017",
          "1_000",
          "1e3",
          "+1",
          "-1",
          "12:30",
          "12:30:00",
          "2026-01-01",
          "~",
          "null",
          "Null",
          "y",
          "n",
          "yes",
          "No",
          "on",
          "OFF",
          "true",
          "=",
          "<<",
          "!tag",
          "&a",
          "*a",
          "- a",
          "? x",
          ": x",
          "#c",
          "a #b",
          "a: b",
          "'q'",
          "\"d\"",
          "%x",
          "@x",
          "`x",
          "|",
          ">",
          " lead",
          "trail ",
          "",
          "\t",
          "a\nb",
          "\u0085",
          "\u2028",
          "日本");

  @Test
  void trickyStringsRoundTripThroughTheFallbackWriter() {
    DocumentCodec<ObjectNode> yaml = DocumentCodecs.yaml();
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    doc.put("revision", 1);
    doc.put("bytes", new byte[] {1, 2}); // the emitter declines binary: Jackson writes it all
    for (int i = 0; i < TRICKY.size(); i++) {
      doc.put("k" + i, TRICKY.get(i));
    }
    byte[] encoded = yaml.encode(doc);
    assertTrue(new String(encoded, StandardCharsets.UTF_8).contains("!!binary"), "Jackson's");
    ObjectNode back = yaml.decode(encoded, "state.yaml");
    List<String> changed = new ArrayList<>();
    for (int i = 0; i < TRICKY.size(); i++) {
      if (!doc.get("k" + i).equals(back.get("k" + i))) {
        changed.add("'" + TRICKY.get(i) + "' -> " + back.get("k" + i));
      }
    }
    assertEquals(List.of(), changed, "strings that came back as something else");
  }

  @Test
  void aCommitThroughTheFallbackKeepsItsStringsStrings(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("state.yaml");
    try (DocumentStore<ObjectNode> store = DocumentStore.open(file, DocumentCodecs.yaml())) {
      store.createIfAbsent(
          JsonNodeFactory.instance.objectNode().put("offset", "-1").put("color", "0x1F"));
      ObjectNode after = store.update(d -> d.put("bytes", new byte[] {1})).value();
      assertEquals("-1", after.get("offset").textValue());
      ObjectNode read = store.read().value();
      assertEquals("-1", read.get("offset").textValue(), Files.readString(file));
      assertEquals("0x1F", read.get("color").textValue(), Files.readString(file));
    }
  }
}
