package dev.lockstep.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Suite {@code docs}: one update of a 4 KiB YAML state document per operation, in a fresh temp
 * directory per trial (deleted at teardown). Scenarios: {@code update-1t} (one thread; Lockstep
 * against the disk's limits and the seeds' design, and Lockstep without fsync to show its CPU cost)
 * and {@code update-8t} (eight threads of one JVM on one document; Lockstep with and without group
 * commit, and the seeds' design). BenchMain runs each method with its own list of {@code impl}
 * values ({@link #UPDATE_1T}, {@link #UPDATE_8T}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DocsBenchmark {

  /** The implementations of {@code update-1t}. */
  static final List<String> UPDATE_1T =
      List.of("lockstep", "lockstep-no-fsync", "fsync-rename", "append-fdatasync", "seed-style");

  /** The implementations of {@code update-8t}. */
  static final List<String> UPDATE_8T =
      List.of("lockstep", "lockstep-no-group-commit", "seed-style");

  /** Every implementation, in report order. */
  static final List<String> NAMES =
      List.of(
          "lockstep",
          "lockstep-no-group-commit",
          "lockstep-no-fsync",
          "fsync-rename",
          "append-fdatasync",
          "seed-style");

  @Param({
    "lockstep",
    "lockstep-no-group-commit",
    "lockstep-no-fsync",
    "fsync-rename",
    "append-fdatasync",
    "seed-style"
  })
  public String impl;

  Path dir;
  DocWriter writer;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = TempDirs.create("docs");
    writer = create(impl, dir);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    try {
      if (writer != null) {
        writer.close();
      }
    } finally {
      TempDirs.delete(dir);
    }
  }

  static DocWriter create(String impl, Path dir) throws Exception {
    return LockstepDocWriter.NAMES.contains(impl)
        ? LockstepDocWriter.create(impl, dir)
        : DocWriter.create(impl, dir);
  }

  /** Scenario {@code update-1t}: sequential durable updates. */
  @Benchmark
  @Threads(1)
  public void update1t() throws Exception {
    writer.update();
  }

  /** Scenario {@code update-8t}: eight threads updating one document. */
  @Benchmark
  @Threads(8)
  public void update8t() throws Exception {
    writer.update();
  }
}
