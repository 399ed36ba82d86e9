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

  /**
   * Lockstep on {@code store}: a fresh entity {@code race-TRIAL} per trial; "won" means {@link
   * FireResult.Transitioned}. The entity must end in THINKING at version 1 with exactly one
   * TRANSITIONED attempt in its history. {@code cleanup} runs at close, after the engine and the
   * store are closed.
   */
  static Racers lockstep(FsmStore store, Runnable cleanup) {
    FsmEngine engine = FsmEngine.builder(store).machine(LockstepMachines.AGENT_TURN).build();
    return new Racers() {
      @Override
      public Object prepare(int trial) {
        String id = "race-" + trial;
        engine.create(LockstepMachines.MACHINE, id);
        return id;
      }

      @Override
      public boolean fire(Object entity) {
        return engine.fire(LockstepMachines.MACHINE, (String) entity, "think", Map.of())
            instanceof FireResult.Transitioned;
      }

      @Override
      public boolean oneTransition(Object entity) {
        String id = (String) entity;
        EntityState now = engine.current(id).orElseThrow();
        long transitioned =
            engine.history(id).stream()
                .filter(a -> a.outcome() == dev.lockstep.fsm.Outcome.TRANSITIONED)
                .count();
        return now.state().equals("THINKING") && now.version() == 1 && transitioned == 1;
      }

      @Override
      public void close() {
        try {
          engine.close();
          store.close();
        } finally {
          cleanup.run();
        }
      }
    };
  }

  /** Lockstep in memory. */
  static Racers lockstepInMemory() {
    return lockstep(FsmStore.inMemory(), () -> {});
  }

  /** Lockstep on SQLite (default options: WAL, synchronous FULL, group commit) in a temp dir. */
  static Racers lockstepSqlite() {
    Path dir = TempDirs.create("fsm-race");
    try {
      return lockstep(FsmStore.sqlite(dir.resolve("race.db")), () -> TempDirs.delete(dir));
    } catch (RuntimeException e) {
      TempDirs.delete(dir);
      throw e;
    }
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
