package dev.lockstep.testkit.fsm;

import dev.lockstep.fsm.FireResult;
import dev.lockstep.fsm.FsmEngine;
import dev.lockstep.testkit.ThreadKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * Fires one event many times at once and reports what each fire got: the N-way race test for any
 * {@link FsmEngine} on any store.
 *
 * <pre>{@code
 * engine.create("job", "j1");
 * FsmRaceHarness.on(engine, "job").threadKind(ThreadKind.VIRTUAL)
 *     .raceOne("j1", "start", 16)      // 16 fires of "start" on j1
 *     .assertOneWinner();               // exactly 1 Transitioned, 15 Conflict/NotAllowed, 16 logged
 * FsmRaceHarness.on(engine, "job").raceEach(List.of("a", "b", "c"), "start")
 *     .assertAllTransitioned();
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * <p>All fires wait for one start signal, then run concurrently on their own threads; the report
 * holds every result and how many attempts each entity's history gained (the harness must be the
 * only writer on those entities during the run). A violation is a fact; a clean report is evidence,
 * not proof — interleavings are up to the scheduler.
 *
 * <h2>Threading</h2>
 *
 * <p>Configure from one thread; the run methods block until every fire returned and start no thread
 * that outlives them.
 */
public final class FsmRaceHarness {
  private final FsmEngine engine;
  private final String machine;
  private ThreadKind threadKind = ThreadKind.PLATFORM;
  private Map<String, Object> payload = Map.of();

  private FsmRaceHarness(FsmEngine engine, String machine) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.machine = Objects.requireNonNull(machine, "machine");
  }

  /** Returns a harness firing at entities of {@code machine} through {@code engine}. */
  public static FsmRaceHarness on(FsmEngine engine, String machine) {
    return new FsmRaceHarness(engine, machine);
  }

  /** Sets the kind of thread each fire runs on (default platform). */
  public FsmRaceHarness threadKind(ThreadKind kind) {
    this.threadKind = Objects.requireNonNull(kind, "kind");
    return this;
  }

  /** Sets the payload of every fire (default empty). */
  public FsmRaceHarness payload(Map<String, Object> payload) {
    this.payload = Map.copyOf(payload);
    return this;
  }

  /** Fires {@code event} at {@code entityId} {@code n} times at once. */
  public RaceReport raceOne(String entityId, String event, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, got " + n);
    }
    return run(Collections.nCopies(n, entityId), event);
  }

  /** Fires {@code event} once at each of {@code entityIds}, all at once. */
  public RaceReport raceEach(List<String> entityIds, String event) {
    if (new LinkedHashSet<>(entityIds).size() != entityIds.size()) {
      throw new IllegalArgumentException("entity ids repeat: " + entityIds);
    }
    return run(entityIds, event);
  }

  private RaceReport run(List<String> targets, String event) {
    Map<String, Integer> before = new HashMap<>();
    for (String e : new LinkedHashSet<>(targets)) {
      before.put(e, engine.history(e).size());
    }
    int n = targets.size();
    CountDownLatch ready = new CountDownLatch(n);
    CountDownLatch go = new CountDownLatch(1);
    ThreadFactory factory =
        threadKind == ThreadKind.VIRTUAL
            ? Thread.ofVirtual().name("fsm-race-", 0).factory()
            : Thread.ofPlatform().name("fsm-race-", 0).factory();
    List<Future<FireResult>> futures = new ArrayList<>(n);
    List<FireResult> results = new ArrayList<>(n);
    List<String> entities = new ArrayList<>(n);
    List<Throwable> errors = new ArrayList<>();
    try (ExecutorService pool = Executors.newThreadPerTaskExecutor(factory)) {
      for (String target : targets) {
        futures.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  return engine.fire(machine, target, event, payload);
                }));
      }
      awaitUninterruptibly(ready);
      go.countDown();
      for (int i = 0; i < n; i++) {
        try {
          results.add(futures.get(i).get());
          entities.add(targets.get(i));
        } catch (java.util.concurrent.ExecutionException e) {
          errors.add(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the race", e);
        }
      }
    }
    Map<String, Integer> logged = new HashMap<>();
    before.forEach((e, b) -> logged.put(e, engine.history(e).size() - b));
    return new RaceReport(results, entities, logged, errors);
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
