package dev.lockstep.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lockstep.doc.DocumentCodecs;
import dev.lockstep.doc.DocumentOptions;
import dev.lockstep.doc.DocumentStore;
import dev.lockstep.doc.Versioned;
import dev.lockstep.file.Durability;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Lockstep's {@link DocumentStore} as a {@link DocWriter} of suite {@code docs}: each update bumps
 * {@code counter} of the 4 KiB YAML document, durably (Durability FULL, the default). One instance
 * is shared by all benchmark threads, as an application would share its store.
 */
final class LockstepDocWriter implements DocWriter {

  /**
   * {@code lockstep}: the defaults (durability FULL, group commit on); {@code
   * lockstep-no-group-commit}: group commit off; {@code lockstep-no-fsync}: durability NONE, which
   * shows the store's CPU cost without the disk (informational, not a durable peer).
   */
  static final List<String> NAMES =
      List.of("lockstep", "lockstep-no-group-commit", "lockstep-no-fsync");

  static final String FILE = "state.yaml";

  private final DocumentStore<ObjectNode> store;

  LockstepDocWriter(Path dir, DocumentOptions options) throws IOException, InterruptedException {
    this.store = DocumentStore.open(dir.resolve(FILE), DocumentCodecs.yaml(), options);
    store.createIfAbsent(initialDocument());
  }

  static LockstepDocWriter create(String impl, Path dir) throws IOException, InterruptedException {
    return switch (impl) {
      case "lockstep" -> new LockstepDocWriter(dir, DocumentOptions.defaults());
      case "lockstep-no-group-commit" ->
          new LockstepDocWriter(dir, DocumentOptions.defaults().withGroupCommit(false));
      case "lockstep-no-fsync" ->
          new LockstepDocWriter(dir, DocumentOptions.defaults().withDurability(Durability.NONE));
      default -> throw new IllegalArgumentException("unknown lockstep docs impl " + impl);
    };
  }

  /** {@link DocWriter#initialYaml()} as a tree. */
  static ObjectNode initialDocument() throws IOException {
    return (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(DocWriter.initialYaml());
  }

  /** Increments {@code counter}; returns the committed revision. */
  static Versioned<ObjectNode> increment(DocumentStore<ObjectNode> store)
      throws IOException, InterruptedException {
    return store.update(doc -> doc.put("counter", doc.path("counter").asLong() + 1));
  }

  @Override
  public void update() throws IOException, InterruptedException {
    increment(store);
  }

  DocumentStore<ObjectNode> store() {
    return store;
  }

  @Override
  public void close() {
    store.close();
  }
}
