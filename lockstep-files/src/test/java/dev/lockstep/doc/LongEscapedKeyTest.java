package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys under the emitter's length limit that escaping makes longer than YAML's 1024-character limit
 * on implicit keys are written in a form every reader accepts, and a fresh store reads them back.
 *
 * <p>Shown to fail (found by review): when the limit was checked on the key before escaping, 300 ×
 * {@code \"} was committed as an unreadable document ("while scanning a simple key") and a fresh
 * store's read failed.
 */
class LongEscapedKeyTest {
  @TempDir Path dir;

  @Test
  void longKeysThatEscapingLengthensStayReadable() throws Exception {
    Path file = dir.resolve("state.yaml");
    List<String> keys =
        List.of("\\\"".repeat(300), "\"".repeat(600), "\u0001".repeat(200), "a\"".repeat(400));
    try (DocumentStore<ObjectNode> store = DocumentStore.open(file, DocumentCodecs.yaml())) {
      store.createIfAbsent(JsonNodeFactory.instance.objectNode());
      for (String key : keys) {
        store.update(doc -> doc.put(key, "v"));
      }
    }
    try (DocumentStore<ObjectNode> fresh = DocumentStore.open(file, DocumentCodecs.yaml())) {
      ObjectNode doc = fresh.read().value();
      for (String key : keys) {
        assertEquals("v", doc.path(key).asText(), "key of " + key.length() + " chars");
      }
      assertEquals(1 + keys.size(), fresh.read().revision());
    }
  }
}
