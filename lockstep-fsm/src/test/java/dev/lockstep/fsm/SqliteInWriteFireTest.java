package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fires of events without guards or in-transition actions are decided by the SQLite writer inside
 * its write transaction ({@link InWriteFires}): no pre-read, never a conflict, exactly one winner
 * across threads and stores sharing a file, every attempt logged once, a lost answer told from the
 * log. ({@link SqliteSharedFileTest} checks that such fires see another store's commits.)
 *
 * <p>Shown to fail: with the writer deciding from a read made on a pooled read connection before
 * the batch's {@code BEGIN IMMEDIATE} (a pre-read inside the store), the race's losers came back
 * {@code Failed} (the versioned update missed); with that and an update that ignores the version,
 * rounds had two winners. With the engine logging a FAILED row at once instead of looking the
 * attempt up after a lost answer, {@code aLostAnswerIsToldFromTheLog} got {@code Failed} for a
 * committed transition. With the writer serving its read from a cache of the states it wrote,
 * {@link SqliteSharedFileTest} failed (store A's {@code error} fire missed B's commit).
 */
class SqliteInWriteFireTest {
  static final MachineDefinition AGENT = SqliteSharedFileTest.AGENT;

  @TempDir Path dir;

  @Test
  void racersOnTwoStoresHaveOneWinnerAndNoConflict() throws Exception {
    Path db = dir.resolve("race.db");
    int rounds = 40;
    int perStore = 4;
    try (FsmStore sa =
            FsmStore.sqlite(
                db, SqliteOptions.defaults().withSynchronous(SqliteOptions.Synchronous.NORMAL));
        FsmStore sb =
            FsmStore.sqlite(
                db, SqliteOptions.defaults().withSynchronous(SqliteOptions.Synchronous.NORMAL));
        FsmEngine a = FsmEngine.builder(sa).machine(AGENT).build();
        FsmEngine b = FsmEngine.builder(sb).machine(AGENT).build()) {
      for (int r = 0; r < rounds; r++) {
        String id = "e" + r;
        a.create("agent-turn", id);
        List<FireResult> results = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2 * perStore; t++) {
          FsmEngine e = t % 2 == 0 ? a : b;
          threads.add(
              Thread.ofPlatform()
                  .start(
                      () -> {
                        try {
                          go.await();
                        } catch (InterruptedException x) {
                          return;
                        }
                        results.add(e.fire("agent-turn", id, "think", Map.of()));
                      }));
        }
        go.countDown();
        for (Thread t : threads) {
          t.join();
        }
        assertEquals(
            1,
            results.stream().filter(x -> x instanceof FireResult.Transitioned).count(),
            id + ": " + results);
        assertEquals(
            2 * perStore - 1,
            results.stream().filter(x -> x instanceof FireResult.NotAllowed).count(),
            id + ": " + results);
        List<Attempt> history = b.history(id);
        assertEquals(2 * perStore, history.size(), history.toString());
        assertEquals(
            2 * perStore,
            new HashSet<>(history.stream().map(Attempt::attemptId).toList()).size(),
            "each attempt once: " + history);
      }
      FsmInvariants.check(sa, List.of(AGENT)).assertOk();
    }
  }

  @Test
  void aLostAnswerIsToldFromTheLog() {
    try (SqliteFsmStore sqlite =
            SqliteFsmStore.open(dir.resolve("lost.db"), SqliteOptions.defaults());
        LosingStore store = new LosingStore(sqlite);
        FsmEngine engine = FsmEngine.builder(store).machine(AGENT).build()) {
      engine.create("agent-turn", "e");
      store.lose = LosingStore.AFTER;
      assertEquals(
          new FireResult.Transitioned("IDLE", "THINKING", 1),
          engine.fire("agent-turn", "e", "think", Map.of()));
      store.lose = LosingStore.AFTER;
      assertEquals(
          new FireResult.NotAllowed("THINKING", "think"),
          engine.fire("agent-turn", "e", "think", Map.of()));
      store.lose = LosingStore.BEFORE;
      assertInstanceOf(
          FireResult.Failed.class, engine.fire("agent-turn", "e", "respond", Map.of()));
      assertEquals(3, store.lost.get(), "every fire went through the in-write path");
      assertEquals(
          List.of(Outcome.TRANSITIONED, Outcome.NOT_ALLOWED, Outcome.FAILED),
          engine.history("e").stream().map(Attempt::outcome).toList());
      assertEquals("THINKING", engine.current("e").orElseThrow().state());
      FsmInvariants.check(store, List.of(AGENT)).assertOk();
    }
  }

  @Test
  void aMissingEntityOrAnotherMachinesEntityFailsLogged() {
    MachineDefinition other =
        MachineDefinition.builder("other")
            .states("A", "B")
            .initial("A")
            .transition(t -> t.from("A").on("think").to("B"))
            .build();
    try (FsmStore store = FsmStore.sqlite(dir.resolve("missing.db"));
        FsmEngine engine = FsmEngine.builder(store).machine(AGENT).machine(other).build()) {
      FireResult none = engine.fire("agent-turn", "nobody", "think", Map.of());
      assertInstanceOf(NoSuchEntityException.class, ((FireResult.Failed) none).error());
      assertEquals(
          "no entity 'nobody' in " + store.describe(),
          ((FireResult.Failed) none).error().getMessage());
      engine.create("other", "o");
      FireResult foreign = engine.fire("agent-turn", "o", "think", Map.of());
      assertEquals(
          "entity 'o' belongs to machine 'other', not 'agent-turn'",
          ((FireResult.Failed) foreign).error().getMessage());
      assertEquals(1, engine.history("nobody").size());
      Attempt logged = engine.history("o").getFirst();
      assertEquals(Outcome.FAILED, logged.outcome());
      assertEquals("A", logged.from());
      assertEquals(0, engine.current("o").orElseThrow().version());
    }
  }

  @Test
  void anEffectOfAnInWriteFireReachesTheOutboxAndIsDispatched() {
    AtomicInteger sent = new AtomicInteger();
    MachineDefinition job =
        MachineDefinition.builder("job")
            .states("NEW", "DONE")
            .initial("NEW")
            .transition(t -> t.from("NEW").on("finish").to("DONE").actions("notify"))
            .effect("notify", c -> sent.incrementAndGet())
            .build();
    try (FsmStore store = FsmStore.sqlite(dir.resolve("effects.db"));
        FsmEngine engine = FsmEngine.builder(store).machine(job).dispatchEffects(false).build()) {
      engine.create("job", "j");
      assertEquals(
          new FireResult.Transitioned("NEW", "DONE", 1),
          engine.fire("job", "j", "finish", Map.of("to", "ann")));
      List<OutboxEntry> out = store.outbox("j");
      assertEquals(1, out.size(), out.toString());
      assertEquals(1, out.getFirst().version());
      assertEquals(Map.of("to", "ann"), out.getFirst().payload());
      engine.dispatchEffects();
      assertEquals(1, sent.get());
      FsmInvariants.check(store, List.of(job)).assertOk();
    }
  }

  /**
   * A SQLite store whose in-write fire throws once after committing ({@link #AFTER}: the answer was
   * lost) or instead of running ({@link #BEFORE}).
   */
  static final class LosingStore extends ForwardingStore implements InWriteFires {
    static final int AFTER = 1;
    static final int BEFORE = 2;
    final SqliteFsmStore sqlite;
    final AtomicInteger lost = new AtomicInteger();
    volatile int lose;

    LosingStore(SqliteFsmStore delegate) {
      super(delegate);
      this.sqlite = delegate;
    }

    @Override
    public Attempt fireInWrite(CompiledMachine m, Attempt draft, Map<String, Object> payload) {
      int mode = lose;
      lose = 0;
      if (mode == BEFORE) {
        lost.incrementAndGet();
        throw new FsmStoreException("injected: failed before the write");
      }
      Attempt a = sqlite.fireInWrite(m, draft, payload);
      if (mode == AFTER) {
        lost.incrementAndGet();
        throw new FsmStoreException("injected: answer lost after commit");
      }
      return a;
    }

    @Override
    public String describe() {
      return delegate.describe();
    }

    @Override
    public Optional<Attempt> attempt(Attempt like) {
      return delegate.attempt(like);
    }
  }
}
