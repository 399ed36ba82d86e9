package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentStoreTest {
  @TempDir Path dir;

  private static ObjectNode obj(String json) throws Exception {
    return (ObjectNode) ChangeLog.JSON.readTree(json);
  }

  @Test
  void createUpdateCasAndTheLog() throws Exception {
    Path file = dir.resolve("state.yaml");
    try (DocumentStore<ObjectNode> store = DocumentStore.open(file, DocumentCodecs.yaml())) {
      assertThrows(NoSuchFileException.class, store::read);
      assertThrows(NoSuchFileException.class, () -> store.update(d -> d));
      Versioned<ObjectNode> v1 = store.createIfAbsent(obj("{\"counter\":0}"));
      assertEquals(1, v1.revision());
      Versioned<ObjectNode> v2 = store.update(d -> d.put("counter", d.get("counter").asInt() + 1));
      assertEquals(2, v2.revision());
      assertEquals(1, v2.value().get("counter").asInt());
      String text = Files.readString(file);
      assertTrue(text.startsWith("revision: 2\n"), text);

      StaleRevisionException stale =
          assertThrows(
              StaleRevisionException.class, () -> store.compareAndSet(1, obj("{\"x\":1}")));
      assertEquals(1, stale.expected());
      assertEquals(2, stale.actual());
      assertTrue(stale.getMessage().contains(file.getFileName().toString()), stale.getMessage());

      Versioned<ObjectNode> v3 = store.compareAndSet(2, obj("{\"counter\":10}"));
      assertEquals(3, v3.revision());
      assertEquals(3, store.read().revision());
      assertEquals(10, store.read().value().get("counter").asInt());

      List<Change> history = store.history();
      assertEquals(List.of(1L, 2L, 3L), history.stream().map(Change::revision).toList());
      assertEquals(
          List.of(Change.Operation.CREATE, Change.Operation.UPDATE, Change.Operation.CAS),
          history.stream().map(Change::operation).toList());
      assertTrue(history.get(0).content().isPresent());
      assertTrue(history.get(1).patch().isPresent(), history.get(1).toString());
      assertEquals(2, store.recentChanges(2).size());
      assertEquals(1, store.at(2).value().get("counter").asInt());
      assertEquals(0, store.at(1).value().get("counter").asInt());

      Versioned<ObjectNode> v4 = store.restore(1);
      assertEquals(4, v4.revision());
      assertEquals(0, store.read().value().get("counter").asInt());
      assertEquals(Change.Operation.RESTORE, store.recentChanges(1).get(0).operation());

      // backups: 1 = revision 3, 2 = revision 2, 3 = revision 1
      assertTrue(Files.readString(dir.resolve("state.yaml.backup.1")).contains("revision: 3"));
      assertTrue(Files.readString(dir.resolve("state.yaml.backup.3")).contains("revision: 1"));
      Versioned<ObjectNode> v5 = store.restoreBackup(1);
      assertEquals(5, v5.revision());
      assertEquals(10, v5.value().get("counter").asInt());
      assertThrows(RevisionNotFoundException.class, () -> store.restoreBackup(4));
      assertThrows(RevisionNotFoundException.class, () -> store.at(99));
      assertTrue(store.verify().ok(), store.verify().toString());
    }
  }

  @Test
  void externalEditIsLoggedNotLost() throws Exception {
    Path file = dir.resolve("state.json");
    try (DocumentStore<ObjectNode> store = DocumentStore.open(file, DocumentCodecs.json())) {
      store.createIfAbsent(obj("{\"a\":1}"));
      Files.writeString(file, "{\"revision\": 1, \"a\": 2, \"by\": \"hand\"}\n");
      assertFalse(store.verify().ok());
      Versioned<ObjectNode> v = store.update(d -> d.put("b", 3));
      assertEquals(2, v.revision());
      assertEquals(2, v.value().get("a").asInt());
      List<Change> h = store.history();
      assertEquals(Change.Operation.EXTERNAL_EDIT, h.get(1).operation());
      assertEquals("hand", store.at(1).value().get("by").asText());
      assertTrue(store.verify().ok());
    }
  }

  @Test
  void invalidContentIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path file = dir.resolve("state.yaml");
    try (DocumentStore<ObjectNode> store = DocumentStore.open(file, DocumentCodecs.yaml())) {
      store.createIfAbsent(obj("{\"a\":1}"));
      byte[] before = Files.readAllBytes(file);
      Files.writeString(file, "a: [unclosed\n");
      InvalidDocumentException e =
          assertThrows(InvalidDocumentException.class, () -> store.update(d -> d));
      assertTrue(e.getMessage().contains("state.yaml"), e.getMessage());
      Files.write(file, before);
      assertEquals(1, store.read().revision());
      assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(file));
    }
  }

  @Test
  void anUpdateFromInsideAnUpdateFailsInsteadOfWaitingForItself() throws Exception {
    Path file = dir.resolve("state.json");
    for (boolean group : new boolean[] {true, false}) {
      try (DocumentStore<ObjectNode> store =
          DocumentStore.open(
              file, DocumentCodecs.json(), DocumentOptions.defaults().withGroupCommit(group))) {
        store.createIfAbsent(obj("{\"a\":1}"));
        RuntimeException e =
            assertThrows(
                RuntimeException.class,
                () ->
                    store.update(
                        d -> {
                          try {
                            return store.update(x -> x).value();
                          } catch (Exception inner) {
                            throw new IllegalStateException(inner);
                          }
                        }));
        assertTrue(
            e instanceof IllegalStateException || e instanceof dev.lockstep.lock.DeadlockException,
            e.toString());
        assertEquals(1, store.read().revision());
      }
    }
  }
}
