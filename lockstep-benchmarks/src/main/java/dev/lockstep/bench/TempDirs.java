package dev.lockstep.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temp directories of the file and SQLite benchmarks: created per trial, deleted at teardown. */
final class TempDirs {
  private TempDirs() {}

  /** A new empty directory under {@code java.io.tmpdir} (a real disk here, not tmpfs). */
  static Path create(String prefix) {
    try {
      return Files.createTempDirectory("lockstep-bench-" + prefix + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes {@code dir} and everything under it; null and missing directories are ignored. */
  static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
