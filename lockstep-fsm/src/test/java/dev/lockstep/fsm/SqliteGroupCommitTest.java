package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit keeps every result exact: commits racing on one version land in one batch, and the
 * in-order conditional updates inside it give exactly one winner.
 */
class SqliteGroupCommitTest {
  /** The "advance" statement without its version predicate: the lost-update bug. */
  static final Map<String, String> IGNORE_VERSION =
      Map.of(
          "advance",
          "UPDATE fsm_entity SET state = ?, version = version + 1, updated_ns = ?"
              + " WHERE id = ? AND ? >= 0");

  private static final AtomicLong IDS = new AtomicLong();
  @TempDir Path dir;

  /** Commits {@code threads} transitions against version 0 of a fresh entity at once. */
  static int winners(SqliteFsmStore store, String id, int threads) throws Exception {
    store.insert(new EntityState("m", id, "A", 0, Map.of()));
    CountDownLatch go = new CountDownLatch(1);
    List<Future<CommitResult>> futures = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < threads; i++) {
        futures.add(
            pool.submit(
                () -> {
                  go.await();
                  Attempt a =
                      new Attempt(
                          IDS.incrementAndGet(),
                          Instant.now(),
                          "m",
                          id,
                          "go",
                          "A",
                          "B",
                          null,
                          GuardResult.NONE,
                          Outcome.TRANSITIONED,
                          null,
                          1);
                  return store.commit(new TransitionCommit(0, "B", a, List.of()));
                }));
      }
      go.countDown();
      int won = 0;
      for (Future<CommitResult> f : futures) {
        if (f.get() instanceof CommitResult.Committed) {
          won++;
        }
      }
      return won;
    }
  }

  @Test
  void racingCommitsShareBatchesAndExactlyOneWins() throws Exception {
    try (SqliteFsmStore store =
        SqliteFsmStore.open(dir.resolve("g.db"), SqliteOptions.defaults())) {
      for (int round = 0; round < 20; round++) {
        assertEquals(1, winners(store, "e" + round, 32), "round " + round);
        assertEquals(32, store.history("e" + round).size());
      }
      assertTrue(store.largestBatch() > 1, "no batch ever held two commits");
    }
  }

  /**
   * The check above can fail: with the version predicate removed from the conditional update (the
   * same store, one statement replaced), several racing commits "win" in the very first rounds.
   */
  @Test
  void theSameRaceCatchesAnUpdateThatIgnoresTheVersion() throws Exception {
    try (SqliteFsmStore store =
        SqliteFsmStore.open(dir.resolve("b.db"), SqliteOptions.defaults(), IGNORE_VERSION)) {
      int most = 0;
      for (int round = 0; round < 5; round++) {
        most = Math.max(most, winners(store, "e" + round, 32));
      }
      assertTrue(most > 1, "the broken store gave one winner per round: the test cannot fail");
    }
  }

  @Test
  void aStoreReopensWithItsDataAndMigratesOnce() {
    Path db = dir.resolve("r.db");
    try (FsmStore s = FsmStore.sqlite(db)) {
      s.insert(new EntityState("m", "x", "A", 0, Map.of("k", List.of(1, "two"))));
    }
    try (FsmStore s = FsmStore.sqlite(db)) {
      EntityState x = s.read("x").orElseThrow();
      assertEquals("A", x.state());
      assertEquals(List.of(1, "two"), x.data().get("k"));
    }
  }
}
