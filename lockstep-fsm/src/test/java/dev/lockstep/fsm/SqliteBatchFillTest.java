package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch fills while its transaction is open ({@link SqliteBatchFill}): operations queued while
 * the writer runs the batch join it, and with {@code FULL} a writer that has seen batches of three
 * waits (boundedly), after running the operations it holds, for three before paying a COMMIT's
 * fsync, rather than committing the first one alone. The bound is raised here so that the test does
 * not depend on timing; results stay exact either way.
 *
 * <p>Shown to fail: with the fast path not calling {@code fill.more}, the operations queued while
 * the gate ran did not join its batch ({@code inOneBatch}'s check); with {@code more} taking queued
 * operations but never waiting, "first" was committed alone.
 */
class SqliteBatchFillTest {
  @TempDir Path dir;

  @Test
  void aFullWriterWaitsForAsManyCallersAsItRecentlySaw() throws Exception {
    long bound = SqliteWriter.fullStoreFillWaitNanos;
    SqliteWriter.fullStoreFillWaitNanos = 60_000_000_000L; // never reached: three ops arrive
    try (SqliteFsmStore store =
        SqliteFsmStore.open(dir.resolve("w.db"), SqliteOptions.defaults())) {
      SqliteWriter w = store.writer();
      SqliteWriter.Op<Integer> op = (c, rows) -> 1;
      SqliteBatchFailureTest.inOneBatch(store, List.of(op, op)); // gate + 2: the writer saw three
      long[] before = store.batchHistogram();
      CountDownLatch ran = new CountDownLatch(1);
      List<Future<Integer>> futures = new ArrayList<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        Future<Integer> first =
            pool.submit(
                () ->
                    w.submit(
                        "first",
                        (c, rows) -> {
                          ran.countDown();
                          return 1;
                        }));
        ran.await();
        // the writer ran "first" inside its transaction and now waits for two more callers
        Thread.sleep(50); // time for a writer that does not wait to answer "first" alone
        assertFalse(first.isDone(), "\"first\" was committed alone: no fill wait");
        futures.add(first);
        futures.add(pool.submit(() -> w.submit("second", op)));
        futures.add(pool.submit(() -> w.submit("third", op)));
        for (Future<Integer> f : futures) {
          assertEquals(1, f.get());
        }
      }
      long[] after = store.batchHistogram();
      assertEquals(before[3] + 1, after[3], "first + second + third");
      assertEquals(before[1], after[1], "no batch of one");
      assertEquals(before[2], after[2], "no batch of two");
    } finally {
      SqliteWriter.fullStoreFillWaitNanos = bound;
    }
  }
}
