package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fire that loses a race while it evaluates its guard is a {@code Conflict}, never a second
 * winner, whatever else happened on the store meanwhile (another connection's commit, an unrelated
 * operation failing).
 *
 * <p>Shown to fail (found by review): with the writer's entity cache (since removed) serving
 * pre-reads and a missed versioned update after a cache-epoch change treated as a stale read
 * (re-read and fired again), both racers answered {@code Transitioned} (A at version 2, B at
 * version 1) in both cases.
 */
class SqliteLostRaceTest {
  static final String THREAD = "slow-racer";

  @TempDir Path dir;

  /**
   * S --tick--> S, whose guard parks the first fire with payload {@code slow} until released (the
   * engine tests Java guards on a thread of its own, so the payload, not the thread, tells the slow
   * racer).
   */
  static MachineDefinition ticker(CountDownLatch inGuard, CountDownLatch go) {
    AtomicBoolean first = new AtomicBoolean(true);
    return MachineDefinition.builder("counter")
        .states("S")
        .initial("S")
        .transition(t -> t.from("S").on("tick").to("S").guard("g"))
        .guard(
            "g",
            ctx -> {
              if (ctx.payload().containsKey("slow") && first.getAndSet(false)) {
                inGuard.countDown();
                try {
                  go.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return true;
            })
        .build();
  }

  @Test
  void anotherConnectionWinsWhileTheFirstIsInItsGuard() throws Exception {
    CountDownLatch inGuard = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    MachineDefinition tick = ticker(inGuard, go);
    Path db = dir.resolve("race.db");
    try (FsmStore sa = FsmStore.sqlite(db);
        FsmStore sb = FsmStore.sqlite(db);
        FsmEngine a = FsmEngine.builder(sa).machine(tick).build();
        FsmEngine b = FsmEngine.builder(sb).machine(tick).build()) {
      a.create("counter", "e");
      FireResult[] slow = new FireResult[1];
      Thread racer = slowFire(a, slow);
      inGuard.await(); // A has read version 0 and sits in its guard
      FireResult fast = b.fire("counter", "e", "tick", Map.of()); // B reads 0, commits 1
      go.countDown();
      racer.join();
      assertEquals(new FireResult.Transitioned("S", "S", 1), fast);
      assertInstanceOf(FireResult.Conflict.class, slow[0], "the loser: " + slow[0]);
      assertOneWinner(a.history("e"));
    }
  }

  @Test
  void anUnrelatedFailureDoesNotTurnALostRaceIntoAWin() throws Exception {
    CountDownLatch inGuard = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    MachineDefinition tick = ticker(inGuard, go);
    try (SqliteFsmStore store =
            SqliteFsmStore.open(dir.resolve("one.db"), SqliteOptions.defaults());
        FsmEngine a = FsmEngine.builder(store).machine(tick).build()) {
      a.create("counter", "e");
      FireResult[] slow = new FireResult[1];
      Thread racer = slowFire(a, slow);
      inGuard.await();
      FireResult fast = a.fire("counter", "e", "tick", Map.of());
      try {
        store
            .writer()
            .submit(
                "unrelated",
                (c, rows) -> {
                  throw new SQLException("an unrelated operation fails");
                });
      } catch (RuntimeException expected) {
        // the failing operation's own error
      }
      go.countDown();
      racer.join();
      assertEquals(new FireResult.Transitioned("S", "S", 1), fast);
      assertInstanceOf(FireResult.Conflict.class, slow[0], "the loser: " + slow[0]);
      assertOneWinner(a.history("e"));
    }
  }

  private static void assertOneWinner(List<Attempt> history) {
    assertEquals(
        1,
        history.stream().filter(x -> x.outcome() == Outcome.TRANSITIONED).count(),
        history.toString());
    assertEquals(
        1, history.stream().filter(x -> x.outcome() == Outcome.CONFLICT).count(), "" + history);
  }

  /** Starts the slow racer: fires tick (payload slow) on entity e from {@link #THREAD}. */
  private static Thread slowFire(FsmEngine a, FireResult[] slow) {
    return Thread.ofPlatform()
        .name(THREAD)
        .start(() -> slow[0] = a.fire("counter", "e", "tick", Map.of("slow", true)));
  }
}
