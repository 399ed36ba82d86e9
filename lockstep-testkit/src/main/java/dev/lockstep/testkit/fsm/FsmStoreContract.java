package dev.lockstep.testkit.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.fsm.Attempt;
import dev.lockstep.fsm.CommitResult;
import dev.lockstep.fsm.EffectRequest;
import dev.lockstep.fsm.EntityState;
import dev.lockstep.fsm.FireResult;
import dev.lockstep.fsm.FsmEngine;
import dev.lockstep.fsm.FsmStore;
import dev.lockstep.fsm.FsmStoreException;
import dev.lockstep.fsm.GuardResult;
import dev.lockstep.fsm.MachineDefinition;
import dev.lockstep.fsm.OutboxEntry;
import dev.lockstep.fsm.Outcome;
import dev.lockstep.fsm.TransitionCommit;
import dev.lockstep.testkit.ThreadKind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every {@link FsmStore} must pass. Extend it, implement {@link #openStore(Path)}, and
 * run it with JUnit 5:
 *
 * <pre>{@code
 * class PostgresFsmStoreContractTest extends FsmStoreContract {
 *   protected FsmStore openStore(Path dir) { return PostgresFsmStore.open(...); }
 * }
 * }</pre>
 *
 * <p>It checks the SPI directly (atomic conditional commits, conflict rows, history order, attempt
 * lookup, outbox life cycle, the due entries of named effects, closing) and through an engine
 * (N-way races on platform and virtual threads with exactly one winner, fault injection before and
 * after commit, a throwing guard, and the {@link FsmInvariantChecker} invariants after each, an
 * effect named twice in one transition written once). Each test opens a fresh store in a fresh
 * temporary directory and closes it afterwards.
 */
public abstract class FsmStoreContract {
  /**
   * The machine the contract fires at: NEW -start-> RUNNING -finish-> DONE, RUNNING -fail-> NEW.
   */
  public static final MachineDefinition JOB =
      MachineDefinition.builder("job")
          .states("NEW", "RUNNING", "DONE")
          .initial("NEW")
          .transition(t -> t.from("NEW").on("start").to("RUNNING"))
          .transition(t -> t.from("RUNNING").on("finish").to("DONE").actions("notify"))
          .transition(t -> t.from("RUNNING").on("fail").to("NEW"))
          .transition(t -> t.from("NEW").on("explode").to("DONE").guard("throws"))
          .guard(
              "throws",
              c -> {
                throw new IllegalStateException("guard threw on purpose");
              })
          .effect("notify", c -> {})
          .build();

  private static final AtomicLong IDS = new AtomicLong(1);

  /** A fixed time the outbox tests write their entries at (due times are this plus offsets). */
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  /** A fresh temporary directory for this test's store. */
  @TempDir protected Path dir;

  /** The store under test, opened before each test. */
  protected FsmStore store;

  /** Opens a new, empty store; {@code dir} is an empty directory it may use. */
  protected abstract FsmStore openStore(Path dir);

  /** Opens the store. */
  @BeforeEach
  void openTheStore() {
    store = openStore(dir);
  }

  /** Closes the store. */
  @AfterEach
  void closeTheStore() {
    store.close();
  }

  private FsmEngine engine(FsmStore s) {
    return FsmEngine.builder(s).machine(JOB).dispatchEffects(false).build();
  }

  private static Attempt transitioned(String entity, String from, String to, long newVersion) {
    return new Attempt(
        IDS.getAndIncrement(),
        Instant.now(),
        "job",
        entity,
        "start",
        from,
        to,
        null,
        GuardResult.NONE,
        Outcome.TRANSITIONED,
        null,
        newVersion);
  }

  @Test
  void insertsReadsAndRefusesDuplicates() {
    EntityState e = new EntityState("job", "e1", "NEW", 0, Map.of("n", 1, "s", "x"));
    assertTrue(store.insert(e));
    assertFalse(store.insert(new EntityState("other", "e1", "X", 0, Map.of())));
    EntityState read = store.read("e1").orElseThrow();
    assertEquals("job", read.machine());
    assertEquals("NEW", read.state());
    assertEquals(0, read.version());
    assertEquals("x", read.data().get("s"));
    assertEquals(1, ((Number) read.data().get("n")).intValue());
    assertTrue(store.read("nope").isEmpty());
  }

  @Test
  void aCommitMovesTheEntityAndWritesItsAttemptAndOutboxRows() {
    store.insert(new EntityState("job", "e1", "NEW", 0, Map.of()));
    Attempt a = transitioned("e1", "NEW", "RUNNING", 1);
    CommitResult r =
        store.commit(
            new TransitionCommit(
                0, "RUNNING", a, List.of(new EffectRequest("notify", Map.of("k", "v")))));
    assertEquals(new CommitResult.Committed(1), r);
    EntityState s = store.read("e1").orElseThrow();
    assertEquals("RUNNING", s.state());
    assertEquals(1, s.version());
    assertEquals(
        List.of(a.attemptId()), store.history("e1").stream().map(Attempt::attemptId).toList());
    assertEquals(Outcome.TRANSITIONED, store.attempt("e1", a.attemptId()).orElseThrow().outcome());
    List<OutboxEntry> outbox = store.outbox("e1");
    assertEquals(1, outbox.size());
    assertEquals(1, outbox.get(0).version());
    assertEquals("notify", outbox.get(0).effect());
    assertEquals("v", outbox.get(0).payload().get("k"));
  }

  @Test
  void aStaleCommitChangesNothingButItsConflictRow() {
    store.insert(new EntityState("job", "e1", "NEW", 0, Map.of()));
    store.commit(
        new TransitionCommit(0, "RUNNING", transitioned("e1", "NEW", "RUNNING", 1), List.of()));
    Attempt stale = transitioned("e1", "NEW", "RUNNING", 1);
    CommitResult r =
        store.commit(
            new TransitionCommit(
                0, "RUNNING", stale, List.of(new EffectRequest("notify", Map.of()))));
    assertEquals(new CommitResult.Conflicted(1), r);
    assertEquals(1, store.read("e1").orElseThrow().version());
    Attempt logged = store.attempt("e1", stale.attemptId()).orElseThrow();
    assertEquals(Outcome.CONFLICT, logged.outcome());
    assertEquals(0, logged.version());
    assertTrue(store.outbox("e1").isEmpty(), "a conflict wrote an outbox row");
    assertEquals(2, store.history("e1").size());
  }

  @Test
  void concurrentCommitsAgainstOneVersionHaveExactlyOneWinner() throws Exception {
    int threads = 8;
    for (int round = 0; round < 10; round++) {
      String id = "race-" + round;
      store.insert(new EntityState("job", id, "NEW", 0, Map.of()));
      CountDownLatch go = new CountDownLatch(1);
      List<Future<CommitResult>> results = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
        for (int i = 0; i < threads; i++) {
          results.add(
              pool.submit(
                  () -> {
                    go.await();
                    return store.commit(
                        new TransitionCommit(
                            0, "RUNNING", transitioned(id, "NEW", "RUNNING", 1), List.of()));
                  }));
        }
        go.countDown();
        int won = 0;
        for (Future<CommitResult> f : results) {
          if (f.get() instanceof CommitResult.Committed) {
            won++;
          }
        }
        assertEquals(1, won, "round " + round + ": winners");
      }
      assertEquals(1, store.read(id).orElseThrow().version());
      assertEquals(threads, store.history(id).size());
    }
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  void racingFiresOnOneEntityHaveOneWinnerAndAllAreLogged(ThreadKind kind) {
    try (FsmEngine engine = engine(store)) {
      for (int round = 0; round < 5; round++) {
        String id = kind + "-" + round;
        engine.create("job", id);
        RaceReport report =
            FsmRaceHarness.on(engine, "job").threadKind(kind).raceOne(id, "start", 16);
        report.assertOneWinner();
      }
      FsmInvariantChecker.check(store, List.of(JOB)).assertOk();
    }
  }

  @ParameterizedTest
  @EnumSource(ThreadKind.class)
  void firesOnDistinctEntitiesAllTransition(ThreadKind kind) {
    try (FsmEngine engine = engine(store)) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        ids.add("d-" + i);
        engine.create("job", "d-" + i);
      }
      FsmRaceHarness.on(engine, "job")
          .threadKind(kind)
          .raceEach(ids, "start")
          .assertAllTransitioned();
      FsmInvariantChecker.check(store, List.of(JOB)).assertOk();
    }
  }

  @Test
  void historyKeepsRecordingOrderAndEntitiesAreSortedById() {
    try (FsmEngine engine = engine(store)) {
      engine.create("job", "b");
      engine.create("job", "a");
      engine.fire("job", "b", "finish", Map.of());
      engine.fire("job", "b", "start", Map.of());
      engine.fire("job", "b", "finish", Map.of("by", "me"));
      assertEquals(
          List.of(Outcome.NOT_ALLOWED, Outcome.TRANSITIONED, Outcome.TRANSITIONED),
          store.history("b").stream().map(Attempt::outcome).toList());
      assertEquals(
          List.of("a", "b"), store.entities().stream().map(EntityState::entityId).toList());
      assertEquals("DONE", engine.current("b").orElseThrow().state());
      FsmInvariantChecker.check(store, List.of(JOB)).assertOk();
    }
  }

  @Test
  void outboxEntriesArePendingUntilDispatchedAndFailuresAreLogged() {
    try (FsmEngine engine = engine(store)) {
      engine.create("job", "o");
      engine.fire("job", "o", "start", Map.of());
      engine.fire("job", "o", "finish", Map.of("to", "ops"));
      Instant now = Instant.now();
      List<OutboxEntry> due = store.pendingEffects(now.plusSeconds(1), 10);
      assertEquals(1, due.size());
      OutboxEntry e = due.get(0);
      assertEquals(2, e.version());
      assertEquals("ops", e.payload().get("to"));
      Attempt failure =
          new Attempt(
              IDS.getAndIncrement(),
              now,
              "job",
              "o",
              "finish",
              "RUNNING",
              "DONE",
              null,
              GuardResult.NONE,
              Outcome.EFFECT_FAILED,
              "effect 'notify' failed",
              2);
      store.recordDispatchFailure(e.id(), now.plusSeconds(60), failure);
      assertTrue(store.pendingEffects(now.plusSeconds(1), 10).isEmpty(), "due before its retry");
      OutboxEntry retried = store.pendingEffects(now.plusSeconds(61), 10).get(0);
      assertEquals(1, retried.dispatchAttempts());
      assertEquals("effect 'notify' failed", retried.lastError());
      assertEquals(Outcome.EFFECT_FAILED, store.history("o").get(2).outcome());
      store.markDispatched(e.id(), now);
      store.markDispatched(e.id(), now);
      assertTrue(store.pendingEffects(now.plusSeconds(3600), 10).isEmpty());
      assertTrue(store.outbox("o").get(0).dispatched());
      FsmInvariantChecker.check(store, List.of(JOB)).assertOk();
    }
  }

  @Test
  void aFailureBeforeCommitChangesNothingAndIsLoggedAsFailed() {
    FaultyFsmStore faulty = FaultyFsmStore.wrap(store);
    try (FsmEngine engine = engine(faulty)) {
      engine.create("job", "f");
      faulty.failNextCommit(Fault.BEFORE_COMMIT);
      FireResult r = engine.fire("job", "f", "start", Map.of());
      assertInstanceOf(
          FaultyFsmStore.InjectedFault.class, assertInstanceOf(FireResult.Failed.class, r).error());
      EntityState s = store.read("f").orElseThrow();
      assertEquals("NEW", s.state());
      assertEquals(0, s.version());
      List<Attempt> h = store.history("f");
      assertEquals(1, h.size());
      assertEquals(Outcome.FAILED, h.get(0).outcome());
      assertTrue(h.get(0).error().contains("injected fault"), h.get(0).error());
      FsmInvariantChecker.check(store, List.of(JOB)).assertOk();
    }
  }

  @Test
  void aFailureAfterCommitAdvancesTheStateWithExactlyOneLogRow() {
    FaultyFsmStore faulty = FaultyFsmStore.wrap(store);
    try (FsmEngine engine = engine(faulty)) {
      engine.create("job", "f");
      faulty.failNextCommit(Fault.AFTER_COMMIT);
      FireResult r = engine.fire("job", "f", "start", Map.of());
      assertEquals(1, faulty.faultsInjected());
      // The engine looked its attempt up and tells the caller what really happened.
      assertEquals(new FireResult.Transitioned("NEW", "RUNNING", 1), r);
      EntityState s = store.read("f").orElseThrow();
      assertEquals("RUNNING", s.state());
      assertEquals(1, s.version());
      List<Attempt> h = store.history("f");
      assertEquals(1, h.size(), "log rows: " + h);
      assertEquals(Outcome.TRANSITIONED, h.get(0).outcome());
      FsmInvariantChecker.check(store, List.of(JOB)).assertOk();
    }
  }

  @Test
  void aThrowingGuardChangesNothingAndIsLoggedWithItsError() {
    try (FsmEngine engine = engine(store)) {
      engine.create("job", "g");
      FireResult r = engine.fire("job", "g", "explode", Map.of());
      assertEquals(
          "guard threw on purpose",
          assertInstanceOf(FireResult.Failed.class, r).error().getMessage());
      assertEquals(0, store.read("g").orElseThrow().version());
      Attempt a = store.history("g").get(0);
      assertEquals(Outcome.FAILED, a.outcome());
      assertEquals(GuardResult.ERROR, a.guardResult());
      assertEquals("throws", a.guard());
      assertTrue(a.error().contains("guard threw on purpose"), a.error());
    }
  }

  /**
   * Commits the next version of {@code entity} (inserted in state NEW of {@code machine} first if
   * new) at {@code time}, with one outbox entry per effect named; its entries are due at {@code
   * time}.
   */
  private void commitEffects(String machine, String entity, Instant time, String... effects) {
    EntityState s = store.read(entity).orElse(null);
    if (s == null) {
      assertTrue(store.insert(new EntityState(machine, entity, "NEW", 0, Map.of())));
    }
    long version = s == null ? 0 : s.version();
    Attempt a =
        new Attempt(
            IDS.getAndIncrement(),
            time,
            machine,
            entity,
            "start",
            "NEW",
            "NEW",
            null,
            GuardResult.NONE,
            Outcome.TRANSITIONED,
            null,
            version + 1);
    List<EffectRequest> requests =
        Arrays.stream(effects).map(e -> new EffectRequest(e, Map.of("v", version + 1))).toList();
    assertEquals(
        new CommitResult.Committed(version + 1),
        store.commit(new TransitionCommit(version, "NEW", a, requests)));
  }

  /** The undispatched outbox entry of {@code entity}, {@code version} and {@code effect}. */
  private OutboxEntry entry(String entity, long version, String effect) {
    return store.outbox(entity).stream()
        .filter(e -> e.version() == version && e.effect().equals(effect))
        .findFirst()
        .orElseThrow();
  }

  /** Records a failed dispatch of {@code e}, due again at {@code next}. */
  private void reschedule(OutboxEntry e, Instant next) {
    store.recordDispatchFailure(
        e.id(),
        next,
        new Attempt(
            IDS.getAndIncrement(),
            T0,
            e.machine(),
            e.entityId(),
            e.event(),
            e.from(),
            e.to(),
            null,
            GuardResult.NONE,
            Outcome.EFFECT_FAILED,
            "effect '" + e.effect() + "' failed",
            e.version()));
  }

  /** Whether {@code effects} names the effect of {@code e} for its machine. */
  private static boolean named(Map<String, Set<String>> effects, OutboxEntry e) {
    Set<String> names = effects.get(e.machine());
    return names != null && names.contains(e.effect());
  }

  private static List<String> keys(List<OutboxEntry> entries) {
    return entries.stream()
        .map(e -> e.machine() + "/" + e.entityId() + "/" + e.version() + "/" + e.effect())
        .toList();
  }

  /**
   * Asserts that the filtered query answers exactly the unfiltered one restricted to {@code
   * effects}, in its order, for every limit from 1 to past the end.
   */
  private void assertFilteredIsUnfilteredRestricted(Instant now, Map<String, Set<String>> effects) {
    List<OutboxEntry> expected =
        store.pendingEffects(now, 1000).stream().filter(e -> named(effects, e)).toList();
    String what = effects + " at " + now;
    assertEquals(keys(expected), keys(store.pendingEffects(now, 1000, effects)), what);
    assertEquals(expected, store.pendingEffects(now, 1000, effects), what);
    for (int limit = 1; limit <= expected.size() + 1; limit++) {
      assertEquals(
          keys(expected.subList(0, Math.min(limit, expected.size()))),
          keys(store.pendingEffects(now, limit, effects)),
          what + ", limit " + limit);
    }
  }

  /**
   * Writes due entries of effects a, b and c on two machines (job and other), one of them
   * rescheduled after a failure and one dispatched, so the unfiltered order is not just creation
   * order on every store.
   */
  private void writeMixedOutbox() {
    commitEffects("job", "f", T0.plusSeconds(1), "a", "b");
    commitEffects("other", "g", T0.plusSeconds(2), "b", "a");
    commitEffects("job", "f", T0.plusSeconds(3), "c");
    commitEffects("job", "f", T0.plusSeconds(4), "b");
    commitEffects("other", "g", T0.plusSeconds(5), "a");
    commitEffects("job", "f", T0.plusSeconds(6), "a", "c");
    reschedule(entry("f", 1, "a"), T0.plusMillis(5500));
    store.markDispatched(entry("g", 1, "b").id(), T0.plusSeconds(2));
  }

  @Test
  void pendingEffectsOfNamedEffectsAreTheUnfilteredOnesRestrictedInTheirOrder() {
    writeMixedOutbox();
    Instant now = T0.plusSeconds(10);
    assertEquals(8, store.pendingEffects(now, 1000).size());
    assertEquals(
        List.of("job/f/1/b", "job/f/3/b"),
        keys(store.pendingEffects(now, 1000, Map.of("job", Set.of("b")))));
    assertEquals(
        List.of("other/g/1/a", "other/g/2/a"),
        keys(store.pendingEffects(now, 1000, Map.of("other", Set.of("a")))));
    assertEquals(
        List.of(), store.pendingEffects(now, 1000, Map.of("other", Set.of("b"))), "dispatched");
    List<Map<String, Set<String>>> filters =
        List.of(
            Map.of("job", Set.of("a")),
            Map.of("job", Set.of("b")),
            Map.of("job", Set.of("a", "b")),
            Map.of("other", Set.of("a")),
            Map.of("job", Set.of("b"), "other", Set.of("a")),
            Map.of("job", Set.of("a", "b", "c"), "other", Set.of("a", "b")),
            Map.of("job", Set.of("a", "b", "c", "nope")),
            Map.of("job", Set.of("nope")),
            Map.of("nope", Set.of("a", "b")));
    for (Map<String, Set<String>> effects : filters) {
      assertFilteredIsUnfilteredRestricted(now, effects);
    }
    assertEquals(
        store.pendingEffects(now, 1000),
        store.pendingEffects(now, 1000, Map.of("job", Set.of("a", "b", "c"), "other", Set.of("a"))),
        "naming every effect is the unfiltered query");
  }

  @Test
  void pendingEffectsOfNamedEffectsAreOnlyTheDueOnes() {
    writeMixedOutbox();
    Map<String, Set<String>> a = Map.of("job", Set.of("a"));
    assertEquals(List.of(), store.pendingEffects(T0, 1000, a), "none due yet");
    assertEquals(List.of(), store.pendingEffects(T0.plusSeconds(5), 1000, a), "f/1/a rescheduled");
    assertEquals(List.of("job/f/1/a"), keys(store.pendingEffects(T0.plusMillis(5750), 1000, a)));
    assertEquals(
        Set.of("job/f/1/a", "job/f/4/a"),
        Set.copyOf(keys(store.pendingEffects(T0.plusSeconds(7), 1000, a))));
    assertEquals(
        List.of("job/f/1/b"),
        keys(store.pendingEffects(T0.plusSeconds(3), 1000, Map.of("job", Set.of("b")))));
    List<Map<String, Set<String>>> filters =
        List.of(
            a,
            Map.of("job", Set.of("b", "c")),
            Map.of("other", Set.of("a", "b")),
            Map.of("job", Set.of("a", "b", "c"), "other", Set.of("a", "b")));
    for (long ms : new long[] {0, 1000, 2000, 3500, 4000, 5000, 5500, 5750, 6000, 7000}) {
      for (Map<String, Set<String>> effects : filters) {
        assertFilteredIsUnfilteredRestricted(T0.plusMillis(ms), effects);
      }
    }
  }

  /**
   * The limit counts the entries returned, after filtering: 70 due entries of an effect not asked
   * for (and 70 of the asked-for name on another machine) do not hide the one asked for behind
   * them. A store that reads a page of due entries and filters it fails this.
   */
  @Test
  void theLimitOfPendingEffectsCountsOnlyTheNamedEffects() {
    for (int i = 0; i < 70; i++) {
      commitEffects("job", "many", T0.plusMillis(i), "a");
      commitEffects("other", "others", T0.plusMillis(i), "b");
    }
    commitEffects("job", "many", T0.plusMillis(100), "b");
    Instant now = T0.plusSeconds(1);
    List<OutboxEntry> b = store.pendingEffects(now, 64, Map.of("job", Set.of("b")));
    assertEquals(List.of("job/many/71/b"), keys(b));
    assertEquals(
        keys(store.pendingEffects(now, 1000).stream().filter(e -> e.effect().equals("a")).toList())
            .subList(0, 64),
        keys(store.pendingEffects(now, 64, Map.of("job", Set.of("a")))));
    assertEquals(64, store.pendingEffects(now, 64, Map.of("other", Set.of("b"))).size());
    assertEquals(
        71, store.pendingEffects(now, 71, Map.of("job", Set.of("a", "b"))).size(), "all of job");
    assertEquals(
        "job/many/71/b",
        keys(store.pendingEffects(now, 71, Map.of("job", Set.of("a", "b")))).get(70));
    assertFilteredIsUnfilteredRestricted(now, Map.of("job", Set.of("b"), "other", Set.of("a")));
  }

  /**
   * Naming no effect (an empty map, or machines with no effect) asks for nothing, as does a limit
   * of 0, whatever is due.
   */
  @Test
  void pendingEffectsOfNoEffectOrWithLimitZeroAreNone() {
    writeMixedOutbox();
    Instant now = T0.plusSeconds(10);
    assertEquals(List.of(), store.pendingEffects(now, 10, Map.of()));
    assertEquals(List.of(), store.pendingEffects(now, 10, Map.of("job", Set.of())));
    assertEquals(
        List.of(), store.pendingEffects(now, 10, Map.of("job", Set.of(), "other", Set.of())));
    assertEquals(List.of(), store.pendingEffects(now, 0));
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () ->
            assertEquals(
                List.of(), store.pendingEffects(now, 0, Map.of("job", Set.of("a", "b", "c")))),
        "limit 0 of named effects");
  }

  /**
   * Both queries refuse a null time or map ({@link NullPointerException}) and a negative limit
   * ({@link IllegalArgumentException}), on an empty outbox and on one with due entries alike.
   */
  @Test
  void pendingEffectsRefuseBadArguments() {
    Map<String, Set<String>> a = Map.of("job", Set.of("a"));
    for (int round = 0; round < 2; round++) {
      String when = round == 0 ? "empty outbox" : "due entries";
      Instant now = T0.plusSeconds(10);
      assertThrows(NullPointerException.class, () -> store.pendingEffects(null, 10), when);
      assertThrows(NullPointerException.class, () -> store.pendingEffects(null, 10, a), when);
      assertThrows(NullPointerException.class, () -> store.pendingEffects(now, 10, null), when);
      assertThrows(IllegalArgumentException.class, () -> store.pendingEffects(now, -1), when);
      assertTimeoutPreemptively(
          Duration.ofSeconds(30),
          () ->
              assertThrows(
                  IllegalArgumentException.class, () -> store.pendingEffects(now, -1, a), when),
          when);
      assertThrows(
          IllegalArgumentException.class,
          () -> store.pendingEffects(now, Integer.MIN_VALUE, Map.of()),
          when);
      writeMixedOutbox();
    }
  }

  /**
   * An effect one transition names more than once (exit action of the source, transition action,
   * entry action of the target, both ends of a self-loop) is one outbox entry of that version and
   * is dispatched once: (entity, version, effect) is the entry's idempotency key. Fired through an
   * engine, on plain events and on guarded ones (a store may decide plain ones inside its write).
   */
  @Test
  void anEffectNamedTwiceInOneTransitionIsOneOutboxEntry() {
    ConcurrentLinkedQueue<String> runs = new ConcurrentLinkedQueue<>();
    MachineDefinition twice =
        MachineDefinition.builder("twice")
            .states("A", "B")
            .initial("A")
            .transition(t -> t.from("A").on("go").to("B").actions("audit"))
            .transition(t -> t.from("A").on("check").to("B").guard("ok").actions("audit"))
            .transition(t -> t.from("B").on("loop").to("B"))
            .transition(t -> t.from("B").on("reloop").to("B").guard("ok"))
            .onExit("A", "audit")
            .onEntry("B", "audit", "notify")
            .onExit("B", "notify")
            .guard("ok", c -> true)
            .effect("audit", c -> runs.add(c.entityId() + "/" + c.version() + "/audit"))
            .effect("notify", c -> runs.add(c.entityId() + "/" + c.version() + "/notify"))
            .build();
    try (FsmEngine engine =
        FsmEngine.builder(store).machine(twice).dispatchEffects(false).build()) {
      for (String entity : List.of("plain", "guarded")) {
        engine.create("twice", entity);
        boolean plain = entity.equals("plain");
        assertEquals(
            new FireResult.Transitioned("A", "B", 1),
            engine.fire("twice", entity, plain ? "go" : "check", Map.of("k", "v")));
        assertEquals(
            new FireResult.Transitioned("B", "B", 2),
            engine.fire("twice", entity, plain ? "loop" : "reloop", Map.of()));
        Map<Long, List<String>> byVersion = new TreeMap<>();
        for (OutboxEntry e : store.outbox(entity)) {
          byVersion.computeIfAbsent(e.version(), v -> new ArrayList<>()).add(e.effect());
        }
        byVersion.values().forEach(names -> names.sort(null));
        assertEquals(
            Map.of(1L, List.of("audit", "notify"), 2L, List.of("audit", "notify")),
            byVersion,
            entity + ": effects by version");
        assertEquals("v", entry(entity, 1, "audit").payload().get("k"));
      }
      Instant later = Instant.now().plusSeconds(1);
      assertEquals(8, store.pendingEffects(later, 100).size());
      assertEquals(4, store.pendingEffects(later, 100, Map.of("twice", Set.of("audit"))).size());
      FsmInvariantChecker.check(store, List.of(twice)).assertOk();
      assertEquals(8, engine.dispatchEffects());
      assertEquals(8, runs.size(), runs.toString());
      assertEquals(8, runs.stream().distinct().count(), runs.toString());
      assertTrue(store.pendingEffects(later, 100).isEmpty());
    }
  }

  @Test
  void closeLeavesNoThreadsAndLaterCallsFail() {
    try (FsmEngine engine = FsmEngine.builder(store).machine(JOB).build()) {
      engine.create("job", "c");
      engine.fire("job", "c", "start", Map.of());
      engine.fire("job", "c", "finish", Map.of()); // starts the effect dispatcher
    }
    store.close();
    store.close(); // idempotent
    FsmLeaks.assertNoThreads();
    assertThrows(FsmStoreException.class, () -> store.read("c"));
    assertThrows(
        FsmStoreException.class,
        () -> store.insert(new EntityState("job", "late", "NEW", 0, Map.of())));
    Instant now = Instant.now();
    assertThrows(FsmStoreException.class, () -> store.pendingEffects(now, 10));
    assertThrows(
        FsmStoreException.class, () -> store.pendingEffects(now, 10, Map.of("job", Set.of("a"))));
    assertThrows(FsmStoreException.class, () -> store.pendingEffects(now, 10, Map.of()));
    assertThrows(FsmStoreException.class, () -> store.pendingEffects(now, 0, Map.of()));
  }
}
