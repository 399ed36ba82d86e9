package dev.lockstep.bench;

import dev.lockstep.fsm.EntityState;
import dev.lockstep.fsm.FireResult;
import dev.lockstep.fsm.FsmEngine;
import dev.lockstep.fsm.FsmStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.springframework.statemachine.StateMachine;

/**
 * The race scenario of suite {@code fsm}: in each trial, N = 2..10 threads fire one event at one
 * entity at the same instant. Exactly one of them may say it made the transition. Correctness, not
 * speed: the report counts the trials in which more than one sender was told it won.
 */
final class RaceScenario {
  private RaceScenario() {}

  /** One racer system: prepares a fresh entity, then fires the same event from a thread. */
  interface Racers extends AutoCloseable {
    /** Prepares a fresh entity for trial {@code trial}; returns its handle. */
    Object prepare(int trial) throws Exception;

    /** Fires the event at the entity; true when this sender is told it made the transition. */
    boolean fire(Object entity) throws Exception;

    /** Whether exactly one transition really happened to the entity. */
    boolean oneTransition(Object entity) throws Exception;

    /** Releases the system's resources (engines, stores, temp directories). */
    @Override
    default void close() {}
  }

  /** The outcome of all trials. */
  record Outcome(int trials, int multipleWinners, int noWinner, int wrongFinalState) {}

  static Outcome run(Racers racers, int trials) throws Exception {
    int multiple = 0;
    int none = 0;
    int wrong = 0;
    try (ExecutorService pool = Executors.newFixedThreadPool(10)) {
      for (int t = 0; t < trials; t++) {
        int n = 2 + t % 9;
        Object entity = racers.prepare(t);
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> fires = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          Callable<Boolean> fire =
              () -> {
                ready.countDown();
                go.await();
                return racers.fire(entity);
              };
          fires.add(pool.submit(fire));
        }
        ready.await();
        go.countDown();
        int winners = 0;
        for (Future<Boolean> f : fires) {
          if (f.get()) {
            winners++;
          }
        }
        if (winners > 1) {
          multiple++;
        } else if (winners == 0) {
          none++;
        }
        if (!racers.oneTransition(entity)) {
          wrong++;
        }
      }
    }
    return new Outcome(trials, multiple, none, wrong);
  }

  /** Spring Statemachine 4: a fresh machine per trial; "won" means Spring answered ACCEPTED. */
  static Racers spring() {
    return new Racers() {
      @Override
      public Object prepare(int trial) {
        return SpringMachines.agentGuard();
      }

      @Override
      @SuppressWarnings("unchecked") // the handle is the machine prepare() returned
      public boolean fire(Object entity) {
        return SpringMachines.send((StateMachine<String, String>) entity, "think");
      }

      @Override
      @SuppressWarnings("unchecked") // the handle is the machine prepare() returned
      public boolean oneTransition(Object entity) {
        StateMachine<String, String> m = (StateMachine<String, String>) entity;
        boolean ok = m.getState().getId().equals("THINKING");
        m.stopReactively().block();
        return ok;
      }
    };
  }

  /** A trial of the Lockstep racers: its own store, engine and (for SQLite) temp directory. */
  private record LockstepTrial(FsmStore store, FsmEngine engine, String id, Path dir) {
    void close() {
      try {
        engine.close();
        store.close();
      } finally {
        TempDirs.delete(dir);
      }
    }
  }

  /**
   * Lockstep: every trial gets a fresh store from {@code stores} (given a temp directory, or null
   * in memory) and an engine on it, and races on entity {@code race-TRIAL}; "won" means {@link
   * FireResult.Transitioned}. The entity must end in THINKING at version 1 with exactly one
   * TRANSITIONED attempt in its history; the trial's store is then closed and its directory
   * deleted.
   */
  static Racers lockstep(boolean sqlite) {
    return new Racers() {
      @Override
      public Object prepare(int trial) {
        Path dir = sqlite ? TempDirs.create("fsm-race") : null;
        FsmStore store = null;
        try {
          store = sqlite ? FsmStore.sqlite(dir.resolve("race.db")) : FsmStore.inMemory();
          FsmEngine engine = FsmEngine.builder(store).machine(LockstepMachines.AGENT_TURN).build();
          String id = "race-" + trial;
          engine.create(LockstepMachines.MACHINE, id);
          return new LockstepTrial(store, engine, id, dir);
        } catch (RuntimeException e) {
          if (store != null) {
            store.close();
          }
          TempDirs.delete(dir);
          throw e;
        }
      }

      @Override
      public boolean fire(Object entity) {
        LockstepTrial t = (LockstepTrial) entity;
        return t.engine().fire(LockstepMachines.MACHINE, t.id(), "think", Map.of())
            instanceof FireResult.Transitioned;
      }

      @Override
      public boolean oneTransition(Object entity) {
        LockstepTrial t = (LockstepTrial) entity;
        try {
          EntityState now = t.engine().current(t.id()).orElseThrow();
          long transitioned =
              t.engine().history(t.id()).stream()
                  .filter(a -> a.outcome() == dev.lockstep.fsm.Outcome.TRANSITIONED)
                  .count();
          return now.state().equals("THINKING") && now.version() == 1 && transitioned == 1;
        } finally {
          t.close();
        }
      }
    };
  }

  /** Lockstep in memory, a fresh store per trial. */
  static Racers lockstepInMemory() {
    return lockstep(false);
  }

  /**
   * Lockstep on SQLite (default options: WAL, synchronous FULL, group commit), a fresh database in
   * a fresh temp directory per trial.
   */
  static Racers lockstepSqlite() {
    return lockstep(true);
  }

  /**
   * Quick manual check: {@code java -cp lockstep-benchmarks.jar dev.lockstep.bench.RaceScenario}.
   */
  public static void main(String[] args) throws Exception {
    int trials = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    try (Racers r = lockstepInMemory()) {
      System.out.println("lockstep-memory: " + run(r, trials));
    }
    try (Racers r = lockstepSqlite()) {
      System.out.println("lockstep-sqlite: " + run(r, trials));
    }
    try (Racers r = spring()) {
      System.out.println("spring-statemachine: " + run(r, trials));
    }
  }
}
