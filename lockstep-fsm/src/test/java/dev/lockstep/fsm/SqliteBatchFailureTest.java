package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failing operation in the middle of a group-commit batch changes nothing of the others' results
 * and leaves nothing of its own: the fast path (no savepoints, rows written together before COMMIT)
 * rolls the batch back and re-runs it without the failing operation; when writing the batch's
 * buffered rows fails, the batch is re-run on the exact path (a savepoint per operation).
 *
 * <p>Shown to fail: with the fast path changed to record the error and carry on without rolling
 * back, the first test saw entity b advanced to X by the failed operation; with a failed row flush
 * answered by failing the whole batch, the second test saw a and c fail.
 */
class SqliteBatchFailureTest {
  @TempDir Path dir;

  private static TransitionCommit commitOf(String entity, long attemptId) {
    Attempt a =
        new Attempt(
            attemptId,
            Instant.now(),
            "m",
            entity,
            "go",
            "A",
            "B",
            null,
            GuardResult.NONE,
            Outcome.TRANSITIONED,
            null,
            1);
    return new TransitionCommit(0, "B", a, List.of());
  }

  /**
   * Runs {@code ops} as one batch: the writer is held inside a gate operation until all of them are
   * queued, in order; they then join the gate's batch ({@link SqliteBatchFill}). Returns each
   * result, or the exception its caller got.
   */
  static List<Object> inOneBatch(SqliteFsmStore store, List<SqliteWriter.Op<?>> ops)
      throws Exception {
    SqliteWriter w = store.writer();
    long[] before = store.batchHistogram();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Object> out = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<?> gate =
          pool.submit(
              () ->
                  w.submit(
                      "gate",
                      (c, rows) -> {
                        entered.countDown();
                        try {
                          release.await();
                        } catch (InterruptedException e) {
                          throw new SQLException("interrupted", e);
                        }
                        return null;
                      }));
      entered.await();
      List<Future<Object>> futures = new ArrayList<>();
      for (int i = 0; i < ops.size(); i++) {
        SqliteWriter.Op<?> op = ops.get(i);
        futures.add(pool.submit(() -> w.submit("op", op)));
        while (w.queued() < i + 1) {
          Thread.sleep(1); // polling until queued in order; nothing is asserted on time
        }
      }
      release.countDown();
      gate.get();
      for (Future<Object> f : futures) {
        try {
          out.add(f.get());
        } catch (ExecutionException e) {
          out.add(e.getCause());
        }
      }
    }
    long[] after = store.batchHistogram();
    int n = ops.size() + 1; // queued while the gate ran, they join its batch
    assertEquals(before[n] + 1, after[n], "the gate and the operations shared one batch");
    return out;
  }

  private static SqliteFsmStore open(Path file) {
    SqliteFsmStore store = SqliteFsmStore.open(file, SqliteOptions.defaults());
    for (String id : List.of("a", "b", "c")) {
      store.insert(new EntityState("m", id, "A", 0, Map.of()));
    }
    return store;
  }

  @Test
  void anOperationThatThrowsIsTakenOutAndTheBatchReRunWithoutIt() throws Exception {
    try (SqliteFsmStore store = open(dir.resolve("t.db"))) {
      SqliteWriter.Op<Object> failing =
          (c, rows) -> {
            c.exec("UPDATE fsm_entity SET state = 'X', version = 7 WHERE id = 'b'");
            rows.attempt(commitOf("b", 99).attempt());
            throw new SQLException("injected failure after a write");
          };
      List<Object> r =
          inOneBatch(
              store,
              List.of(
                  SqliteWriteOps.commit(commitOf("a", 1)),
                  failing,
                  SqliteWriteOps.commit(commitOf("c", 3))));
      assertEquals(new CommitResult.Committed(1), r.get(0));
      assertInstanceOf(FsmStoreException.class, r.get(1));
      assertEquals(new CommitResult.Committed(1), r.get(2));
      assertEquals("A", store.read("b").orElseThrow().state());
      assertEquals(0, store.read("b").orElseThrow().version());
      assertEquals(List.of(), store.history("b"));
      assertEquals(1, store.history("a").size());
      assertEquals(1, store.history("c").size());
      assertEquals("B", store.read("c").orElseThrow().state());
    }
  }

  @Test
  void aFailedRowFlushReRunsTheBatchWithASavepointPerOperation() throws Exception {
    try (SqliteFsmStore store = open(dir.resolve("f.db"))) {
      SqliteBatchRows.OutboxRow row =
          new SqliteBatchRows.OutboxRow("m", "b", 1, "fx", "go", "A", "B", "{}", 0);
      store
          .writer()
          .submit(
              "first outbox row",
              (c, rows) -> {
                rows.outbox(row);
                return null;
              });
      // the same (entity, version, effect) again: the batch's multi-row outbox INSERT fails
      SqliteWriter.Op<Object> duplicate =
          (c, rows) -> {
            c.exec("UPDATE fsm_entity SET state = 'X' WHERE id = 'b'");
            rows.outbox(row);
            return "b";
          };
      List<Object> r =
          inOneBatch(
              store,
              List.of(
                  SqliteWriteOps.commit(commitOf("a", 1)),
                  duplicate,
                  SqliteWriteOps.commit(commitOf("c", 3))));
      assertEquals(new CommitResult.Committed(1), r.get(0));
      assertInstanceOf(FsmStoreException.class, r.get(1));
      assertTrue(String.valueOf(r.get(1)).contains("UNIQUE"), String.valueOf(r.get(1)));
      assertEquals(new CommitResult.Committed(1), r.get(2));
      assertEquals("A", store.read("b").orElseThrow().state());
      assertEquals(1, store.outbox("b").size());
      assertEquals(1, store.history("a").size());
      assertEquals(1, store.history("c").size());
    }
  }
}
