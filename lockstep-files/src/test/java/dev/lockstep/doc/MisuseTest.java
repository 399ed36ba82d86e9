package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.file.FileLock;
import dev.lockstep.file.FileLockHandle;
import dev.lockstep.lock.DeadlockException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A demanding user's misuse of {@link DocumentStore}: null arguments, a closed store, operators
 * that throw, return null or mutate their input and then throw, revisions out of range, a lock file
 * that cannot be opened, two codecs on one path. Each gives a clear exception or a documented
 * no-op, and never a changed document, a broken log, a held lock or a leaked descriptor.
 */
class MisuseTest {
  @TempDir Path dir;

  private static ObjectNode obj(String json) throws IOException {
    return (ObjectNode) ChangeLog.JSON.readTree(json);
  }

  /** One document of each tree format, for tests that run on both. */
  private static final List<String> TREE_FILES = List.of("state.json", "state.yaml");

  private static DocumentCodec<ObjectNode> treeCodec(String name) {
    return name.endsWith(".json") ? DocumentCodecs.json() : DocumentCodecs.yaml();
  }

  private static long openDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  /** The document's bytes and log are exactly as before, and nobody holds its lock. */
  private static void assertUntouched(Path file, byte[] doc, byte[] log) throws IOException {
    assertEquals(new String(doc), Files.readString(file));
    assertEquals(new String(log), Files.readString(Path.of(file + ".changes.jsonl")));
    Optional<FileLockHandle> free = FileLock.of(Path.of(file + ".lock")).tryAcquire();
    assertTrue(free.isPresent(), "the lock was left held");
    free.get().close();
  }

  @Test
  void badArgumentsAndBadOperatorsChangeNothingAndHoldNothing() throws Exception {
    Path file = dir.resolve("state.yaml");
    long fds;
    try (DocumentStore<ObjectNode> store = DocumentStore.open(file, DocumentCodecs.yaml())) {
      store.createIfAbsent(obj("{\"n\":1,\"list\":[1,2]}"));
      store.update(d -> d.put("n", 2));
      fds = openDescriptors();
      byte[] doc = Files.readAllBytes(file);
      byte[] log = Files.readAllBytes(Path.of(file + ".changes.jsonl"));

      assertThrows(NullPointerException.class, () -> store.update(null));
      assertThrows(NullPointerException.class, () -> store.compareAndSet(2, null));
      assertThrows(NullPointerException.class, () -> store.createIfAbsent(null));
      assertThrows(NullPointerException.class, () -> store.compact(null));
      IllegalStateException thrown =
          assertThrows(
              IllegalStateException.class,
              () ->
                  store.update(
                      d -> {
                        d.put("n", 99).withArray("list").add(3); // mutates its input, then throws
                        throw new IllegalStateException("operator failed");
                      }));
      assertEquals("operator failed", thrown.getMessage(), "passed on unchanged");
      NullPointerException returnedNull =
          assertThrows(NullPointerException.class, () -> store.update(d -> null));
      assertTrue(returnedNull.getMessage().contains("returned null"), returnedNull.getMessage());
      StaleRevisionException stale =
          assertThrows(StaleRevisionException.class, () -> store.compareAndSet(-1, obj("{}")));
      assertEquals(-1, stale.expected());
      assertThrows(RevisionNotFoundException.class, () -> store.at(0));
      assertThrows(RevisionNotFoundException.class, () -> store.at(3));
      assertThrows(RevisionNotFoundException.class, () -> store.at(-1));
      assertThrows(RevisionNotFoundException.class, () -> store.restore(0));
      assertThrows(RevisionNotFoundException.class, () -> store.restore(3));
      assertThrows(IllegalArgumentException.class, () -> store.restoreBackup(0));
      assertThrows(IllegalArgumentException.class, () -> store.recentChanges(-1));
      assertThrows(IllegalArgumentException.class, () -> Retention.keepLast(0));
      assertUntouched(file, doc, log);

      // the failed operator's mutation reached neither the store's state nor the next operator
      Versioned<ObjectNode> same = store.update(d -> d);
      assertEquals(3, same.revision());
      assertEquals(2, same.value().get("n").asInt());
      assertEquals(2, same.value().get("list").size());
      assertEquals(0, store.compact(Retention.keepLast(1000)), "nothing to drop");
      assertTrue(store.verify().ok(), store.verify().toString());
    }
    DocumentStore<ObjectNode> closed = DocumentStore.open(file, DocumentCodecs.yaml());
    closed.close();
    closed.close(); // idempotent
    assertThrows(IllegalStateException.class, closed::read);
    assertThrows(IllegalStateException.class, () -> closed.update(d -> d));
    assertThrows(IllegalStateException.class, closed::history);
    assertThrows(IllegalStateException.class, closed::verify);
    assertEquals(file, closed.path());
    assertTrue(openDescriptors() <= fds, "descriptors leaked: " + openDescriptors() + " > " + fds);
  }

  @Test
  void theLastRevisionRefusesAnotherCommitAsInvalidAndWritesNothing() throws Exception {
    Path file = dir.resolve("state.yaml");
    Files.writeString(file, "revision: " + Long.MAX_VALUE + "\n");
    try (DocumentStore<ObjectNode> store = DocumentStore.open(file, DocumentCodecs.yaml())) {
      InvalidDocumentException e =
          assertThrows(InvalidDocumentException.class, () -> store.update(d -> d.put("x", 1)));
      assertTrue(e.getMessage().contains("is the last one"), e.getMessage());
      assertEquals("revision: " + Long.MAX_VALUE + "\n", Files.readString(file));
      assertEquals(Long.MAX_VALUE, store.read().revision());
    }
  }

  @Test
  void aLockFileThatCannotBeOpenedStillLetsTheDocumentBeRead() throws Exception {
    Path file = dir.resolve("state.yaml");
    try (DocumentStore<ObjectNode> store = DocumentStore.open(file, DocumentCodecs.yaml())) {
      store.createIfAbsent(obj("{\"n\":1}"));
    }
    Path lock = dir.resolve("state.yaml.lock");
    Files.delete(lock);
    Files.createDirectory(lock); // as good as a read-only directory, for a test run as root
    long fds = openDescriptors();
    byte[] doc = Files.readAllBytes(file);
    try (DocumentStore<ObjectNode> store = DocumentStore.open(file, DocumentCodecs.yaml())) {
      assertEquals(1, store.read().revision(), "read() takes no lock");
      assertEquals(1, store.history().size());
      assertEquals(1, store.at(1).value().get("n").asInt());
      IOException e = assertThrows(IOException.class, () -> store.update(d -> d.put("n", 2)));
      assertTrue(e.getMessage().contains(lock.toString()), e.getMessage());
    }
    assertEquals(new String(doc), Files.readString(file));
    assertTrue(openDescriptors() <= fds, "descriptors leaked");
  }

  @Test
  void valuesHandedInOrOutStayTheCallersAfterTheCall() throws Exception {
    for (String name : TREE_FILES) {
      Path file = dir.resolve(name);
      try (DocumentStore<ObjectNode> store = DocumentStore.open(file, treeCodec(name))) {
        ObjectNode initial = obj("{\"n\":1,\"list\":[1]}");
        store.createIfAbsent(initial);
        initial.put("n", 100).withArray("list").add(100);
        Versioned<ObjectNode> out = store.update(d -> d.put("n", 2));
        out.value().put("n", 200).withArray("list").add(200);
        ObjectNode cas = obj("{\"n\":3,\"list\":[3]}");
        store.compareAndSet(2, cas);
        cas.put("n", 300);
        Versioned<ObjectNode> next = store.update(d -> d);
        assertEquals(4, next.revision(), name);
        assertEquals(3, next.value().get("n").asInt(), name);
        assertEquals("[3]", next.value().get("list").toString(), name);
        assertEquals(3, store.read().value().get("n").asInt(), name);
        assertEquals(2, store.at(2).value().get("n").asInt(), name);
        assertEquals("[1]", store.at(2).value().get("list").toString(), name);
      }
    }
  }

  @Test
  @Timeout(30)
  void anOperatorCallingTheStoreFailsRatherThanWaitingForItself() throws Exception {
    Path file = dir.resolve("state.yaml");
    for (boolean group : new boolean[] {true, false}) {
      try (DocumentStore<ObjectNode> store =
              DocumentStore.open(
                  file, DocumentCodecs.yaml(), DocumentOptions.defaults().withGroupCommit(group));
          DocumentStore<ObjectNode> other = DocumentStore.open(file, DocumentCodecs.yaml())) {
        store.createIfAbsent(obj("{\"n\":1}"));
        byte[] before = Files.readAllBytes(file);
        for (DocumentStore<ObjectNode> inner : List.of(store, other)) {
          RuntimeException e =
              assertThrows(
                  RuntimeException.class,
                  () ->
                      store.update(
                          d -> {
                            try {
                              inner.update(x -> x.put("n", 9));
                            } catch (IOException | InterruptedException ex) {
                              throw new IllegalStateException(ex);
                            }
                            return d.put("n", 2);
                          }));
          assertTrue(
              e instanceof IllegalStateException || e instanceof DeadlockException,
              "group=" + group + ": " + e);
          assertEquals(new String(before), Files.readString(file));
        }
        assertEquals(2, store.update(d -> d.put("n", 3)).revision(), "the store still works");
      }
      Files.delete(file);
      Files.delete(dir.resolve("state.yaml.changes.jsonl"));
    }
  }

  record Reading(long revision, double value) {}

  @Test
  void nanAndInfinitiesAreRefusedNotStoredAsStrings() throws Exception {
    for (String name : TREE_FILES) {
      Path file = dir.resolve(name);
      try (DocumentStore<ObjectNode> store = DocumentStore.open(file, treeCodec(name))) {
        store.createIfAbsent(obj("{\"x\":1.5}"));
        byte[] before = Files.readAllBytes(file);
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
          IllegalArgumentException e =
              assertThrows(
                  IllegalArgumentException.class,
                  () -> store.update(d -> d.put("x", bad)),
                  name + " " + bad);
          assertTrue(e.getMessage().contains("NaN and infinities"), e.getMessage());
        }
        assertEquals(new String(before), Files.readString(file), name);
        assertEquals(1.5, store.update(d -> d).value().get("x").doubleValue(), name);
      }
    }
    Path typed = dir.resolve("reading.json");
    try (DocumentStore<Reading> store =
        DocumentStore.open(typed, DocumentCodecs.json(Reading.class))) {
      assertThrows(
          IllegalArgumentException.class,
          () -> store.createIfAbsent(new Reading(0, Double.NEGATIVE_INFINITY)));
      assertFalse(Files.exists(typed));
    }
  }

  record Counter(long revision, long n) {}

  @Test
  void oneDocumentThroughTwoCodecsKeepsOneLineOfRevisions() throws Exception {
    Path file = dir.resolve("state.json");
    try (DocumentStore<ObjectNode> tree = DocumentStore.open(file, DocumentCodecs.json());
        DocumentStore<Counter> typed =
            DocumentStore.open(file, DocumentCodecs.json(Counter.class))) {
      tree.createIfAbsent(obj("{\"n\":0}"));
      for (int i = 0; i < 3; i++) {
        tree.update(d -> d.put("n", d.get("n").asLong() + 1));
        typed.update(c -> new Counter(c.revision(), c.n() + 1));
      }
      assertEquals(6, typed.read().value().n());
      assertEquals(7, tree.read().revision());
      List<Long> revisions = tree.history().stream().map(Change::revision).toList();
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), revisions);
      assertFalse(
          tree.history().stream().anyMatch(c -> c.operation() == Change.Operation.EXTERNAL_EDIT),
          "one store's commits are not the other's external edits");
      assertTrue(typed.verify().ok(), typed.verify().toString());
    }
  }
}
