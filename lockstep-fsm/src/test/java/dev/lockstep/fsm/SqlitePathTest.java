package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SQLite store opens the file it is given, whatever characters its name holds: {@code ?}, a
 * URI's query mark, used to cut the name short (and hand the rest to the driver as settings).
 */
class SqlitePathTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"y.db?journal_mode=DELETE", "a#b%41.db", "sp ace ü&x=1;.db", "q?"})
  void theStoreIsTheFileNamed(String name) throws Exception {
    Path file = dir.resolve(name);
    try (FsmStore store = FsmStore.sqlite(file)) {
      store.insert(new EntityState("m", "e", "A", 0, Map.of("k", "v")));
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(name), files.map(p -> p.getFileName().toString()).toList());
    }
    try (FsmStore store = FsmStore.sqlite(file)) {
      assertEquals(Map.of("k", "v"), store.read("e").orElseThrow().data());
      assertEquals("SQLite store " + file, store.describe());
    }
  }
}
