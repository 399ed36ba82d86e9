package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a store's callers see of the copy-on-open trees ({@link LazyTrees}) end to end: a reply
 * survives JDK serialization as a plain tree does, and an operator's input after a commit equals
 * what {@code read()} decodes, node kinds included. Both failed on the first version (found by
 * review): its lazy nodes lacked a {@code writeReplace} (Jackson's is package-private, so not
 * inherited), and the tree {@code load()} kept for a document it decoded was not normalized, so an
 * unopened subtree kept the parser's {@code LongNode} for a hand-written {@code 0000…1}.
 */
class LazyTreesStoreTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @TempDir Path dir;

  private static Object roundTrip(Object o) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return in.readObject();
    }
  }

  /** A plain ObjectNode survives JDK serialization; the value an update returns should too. */
  @Test
  void anUpdatesReplySurvivesJdkSerialization() throws Exception {
    try (DocumentStore<ObjectNode> store =
        DocumentStore.open(dir.resolve("state.yaml"), DocumentCodecs.yaml())) {
      ObjectNode initial = NODES.objectNode().put("counter", 0);
      initial.putObject("nested").put("a", 1);
      store.createIfAbsent(initial);
      store.update(d -> d.put("counter", 1)); // makes the stored tree a trusted one
      Versioned<ObjectNode> got = store.update(d -> d.put("counter", 2));
      ObjectNode eager = got.value().deepCopy();
      assertEquals(eager.toString(), roundTrip(eager).toString(), "a plain tree round-trips");
      assertEquals(eager.toString(), roundTrip(got.value()).toString(), "the reply round-trips");
    }
  }

  /**
   * After a commit, an update's input equals what read() decodes (the eager copy of a normalized
   * stored tree did). An unopened lazy subtree of the tree load() decoded is kept by identity, so
   * the integer kinds Jackson's YAML parser gave a hand-written file (00000000000000000001:
   * LongNode) stay in the stored tree, though the file now says 1 (IntNode).
   */
  @Test
  void anInputAfterACommitEqualsWhatReadDecodes() throws Exception {
    Path file = dir.resolve("state.yaml");
    Files.writeString(
        file,
        "revision: 1\ncounter: 0\nnested:\n  a: 00000000000000000001\n",
        StandardCharsets.UTF_8);
    try (DocumentStore<ObjectNode> store = DocumentStore.open(file, DocumentCodecs.yaml())) {
      store.createIfAbsent(NODES.objectNode()); // exists: takes the decoded value, commits nothing
      store.update(d -> d.put("counter", 1)); // a lazy input; "nested" stays unopened
      ObjectNode onDisk = store.read().value();
      AtomicReference<JsonNode> input = new AtomicReference<>();
      store.update(
          d -> {
            input.set(d.deepCopy());
            return d.put("counter", 2);
          });
      assertEquals(
          onDisk.get("nested").get("a").getClass(),
          input.get().get("nested").get("a").getClass(),
          "node kind of nested.a");
      assertTrue(onDisk.equals(input.get()), "input " + input.get() + " vs read " + onDisk);
    }
  }
}
