package dev.lockstep.doc;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The JVM-wide table of {@link DocumentEngine}s, keyed by the document's real path, codec, options
 * and file layer, so that every store on one document in this JVM combines its commits. Engines are
 * reference-counted and closed with their last store.
 */
final class EngineRegistry {
  private EngineRegistry() {}

  record Key(
      Path document,
      DocumentCodec<?> codec,
      DocumentOptions options,
      DocumentFiles files,
      FileDocumentStore.Locks locks) {}

  private static final class Entry {
    final DocumentEngine<?> engine;
    int stores;

    Entry(DocumentEngine<?> engine) {
      this.engine = engine;
    }
  }

  private static final Map<Key, Entry> ENGINES = new HashMap<>();

  static synchronized <T> DocumentEngine<T> acquire(Key key, Supplier<DocumentEngine<T>> create) {
    Entry entry = ENGINES.computeIfAbsent(key, k -> new Entry(create.get()));
    entry.stores++;
    @SuppressWarnings("unchecked") // the key holds the codec, so the engine's T is the caller's T
    DocumentEngine<T> engine = (DocumentEngine<T>) entry.engine;
    return engine;
  }

  static synchronized void release(Key key) {
    Entry entry = ENGINES.get(key);
    if (entry != null && --entry.stores == 0) {
      ENGINES.remove(key);
      entry.engine.close();
    }
  }
}
