package dev.lockstep.bench;

import dev.lockstep.fsm.FsmEngine;
import dev.lockstep.fsm.FsmStore;
import dev.lockstep.fsm.SqliteOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Suite {@code fsm}, scenario {@code sqlite-8t} (reported as {@code sqlite-8t-full} and {@code
 * sqlite-8t-normal}): eight threads, each cycling its own entity IDLE → THINKING → RESPONDING →
 * IDLE, one durable transition per operation, in a fresh SQLite database (WAL) per trial in a temp
 * directory deleted at teardown.
 *
 * <p>Implementations: {@code lockstep} ({@link SqliteOptions#defaults()}: group commit on), {@code
 * lockstep-no-group-commit} (one transaction per transition) and {@code seed-style} ({@link
 * SeedStyleTransitions}: a new connection per transition).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FsmBenchmark {

  static final List<String> NAMES = List.of("lockstep", "lockstep-no-group-commit", "seed-style");

  static final int THREADS = 8;

  @Param({"lockstep", "lockstep-no-group-commit", "seed-style"})
  public String impl;

  @Param({"FULL", "NORMAL"})
  public String synchronous;

  Path dir;
  FsmStore store;
  FsmEngine engine;
  SeedStyleTransitions seed;
  final AtomicInteger nextEntity = new AtomicInteger();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = TempDirs.create("fsm");
    Path db = dir.resolve("fsm.db");
    switch (impl) {
      case "seed-style" -> seed = new SeedStyleTransitions(db, synchronous, THREADS);
      case "lockstep", "lockstep-no-group-commit" -> {
        SqliteOptions options =
            SqliteOptions.defaults()
                .withSynchronous(SqliteOptions.Synchronous.valueOf(synchronous))
                .withGroupCommit(impl.equals("lockstep"));
        store = FsmStore.sqlite(db, options);
        engine = FsmEngine.builder(store).machine(LockstepMachines.AGENT_TURN).build();
      }
      default -> throw new IllegalArgumentException("unknown fsm impl " + impl);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      if (engine != null) {
        engine.close();
      }
      if (store != null) {
        store.close();
      }
    } finally {
      TempDirs.delete(dir);
    }
  }

  /** One benchmark thread's entity. */
  @State(Scope.Thread)
  public static class Entity {
    String id;
    LockstepMachines.Cycler cycler;

    @Setup(Level.Trial)
    public void setUp(FsmBenchmark bench) {
      id = "e" + bench.nextEntity.getAndIncrement();
      if (bench.engine != null) {
        cycler = new LockstepMachines.Cycler(bench.engine, id);
      }
    }
  }

  /** Scenario {@code sqlite-8t}: the next transition of this thread's entity. */
  @Benchmark
  @Threads(THREADS)
  public Object sqlite8t(Entity entity) throws Exception {
    if (seed != null) {
      if (!seed.fireNext(entity.id)) {
        throw new IllegalStateException(entity.id + ": seed-style transition conflicted");
      }
      return Boolean.TRUE;
    }
    return entity.cycler.next();
  }
}
