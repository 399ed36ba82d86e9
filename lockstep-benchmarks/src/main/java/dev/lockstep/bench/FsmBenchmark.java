package dev.lockstep.bench;

import dev.lockstep.fsm.FireResult;
import dev.lockstep.fsm.FsmEngine;
import dev.lockstep.fsm.FsmStore;
import dev.lockstep.fsm.SqliteOptions;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.AuxCounters;
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
 *
 * <p>Scenario {@code sqlite-8t-async} ({@link #sqlite8tAsync}; reported as {@code
 * sqlite-8t-async-full} and {@code sqlite-8t-async-normal}): the same eight threads, each keeping
 * {@value #IN_FLIGHT} fires in flight ({@link FsmEngine#fireAsync}) on {@value #IN_FLIGHT} entities
 * of its own, so that up to {@value #PIPELINED} transitions can share one transaction: the shape of
 * the "plain group-commit writer (up to 64 transitions per transaction)" anchor. An
 * operation is one acknowledged transition (its future completed after its COMMIT, so as durable as
 * {@code synchronous} makes it). Only the Lockstep implementations run it ({@code seed-style}'s
 * design fires synchronously, one connection per transition).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FsmBenchmark {

  static final List<String> NAMES = List.of("lockstep", "lockstep-no-group-commit", "seed-style");

  /** The implementations of {@code sqlite-8t-async}. */
  static final List<String> ASYNC_NAMES = List.of("lockstep", "lockstep-no-group-commit");

  static final int THREADS = 8;

  /** Fires each thread of {@code sqlite-8t-async} keeps in flight, each on its own entity. */
  static final int IN_FLIGHT = 8;

  /** Transitions in flight in {@code sqlite-8t-async}: {@link #THREADS} x {@link #IN_FLIGHT}. */
  static final int PIPELINED = THREADS * IN_FLIGHT;

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

  /**
   * Transitions refused with {@code SQLITE_BUSY} after the busy timeout (only {@code seed-style}
   * can be refused: its connections race for SQLite's write lock, whose busy handler is not fair).
   * Reported in the row as {@code refused}, summed over the measured iterations.
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Refusals {
    public long refused;
  }

  /** Scenario {@code sqlite-8t}: the next transition of this thread's entity. */
  @Benchmark
  @Threads(THREADS)
  public Object sqlite8t(Entity entity, Refusals refusals) throws Exception {
    if (seed != null) {
      try {
        if (!seed.fireNext(entity.id)) {
          throw new IllegalStateException(entity.id + ": seed-style transition conflicted");
        }
      } catch (SQLException e) {
        if (e.getErrorCode() != SQLITE_BUSY) {
          throw e;
        }
        refusals.refused++; // the seeds' design answers "database is locked": counted, not fatal
        return Boolean.FALSE;
      }
      return Boolean.TRUE;
    }
    return entity.cycler.next();
  }

  /**
   * One thread's window of {@code sqlite-8t-async}: {@value #IN_FLIGHT} entities of its own, each
   * with one fire in flight. Each operation waits for the oldest fire, checks that it transitioned,
   * and fires that entity's next event.
   */
  @State(Scope.Thread)
  public static class Pipeline {
    LockstepMachines.Cycler[] entities;
    List<CompletableFuture<FireResult>> inFlight;
    int oldest;

    @Setup(Level.Trial)
    public void setUp(FsmBenchmark bench) {
      if (bench.engine == null) {
        throw new IllegalStateException(
            "sqlite-8t-async runs the Lockstep implementations only, not " + bench.impl);
      }
      int thread = bench.nextEntity.getAndIncrement();
      entities = new LockstepMachines.Cycler[IN_FLIGHT];
      inFlight = new ArrayList<>(IN_FLIGHT);
      for (int i = 0; i < IN_FLIGHT; i++) {
        entities[i] = new LockstepMachines.Cycler(bench.engine, "p" + thread + "-" + i);
      }
      for (int i = 0; i < IN_FLIGHT; i++) {
        inFlight.add(entities[i].fireAsync());
      }
    }

    /** Waits for the oldest fire, checks it, and puts its entity's next fire in its place. */
    FireResult next() {
      int i = oldest;
      FireResult r = entities[i].completed(inFlight.get(i).join());
      inFlight.set(i, entities[i].fireAsync());
      oldest = i + 1 == IN_FLIGHT ? 0 : i + 1;
      return r;
    }

    /** Lets the fires still in flight finish before the engine and store close. */
    @TearDown(Level.Trial)
    public void tearDown() {
      if (inFlight != null) {
        for (CompletableFuture<FireResult> f : inFlight) {
          f.exceptionally(e -> null).join();
        }
      }
    }
  }

  /**
   * Scenario {@code sqlite-8t-async}: the next acknowledged transition of this thread's window
   * (with {@link #IN_FLIGHT} in flight).
   */
  @Benchmark
  @Threads(THREADS)
  public Object sqlite8tAsync(Pipeline pipeline) {
    return pipeline.next();
  }

  /** SQLite's primary result code for "database is locked". */
  static final int SQLITE_BUSY = 5;
}
