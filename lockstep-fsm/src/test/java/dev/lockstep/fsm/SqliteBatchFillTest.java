package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * With {@code FULL}, a writer that has seen batches of three waits (boundedly) for three operations
 * before paying a COMMIT's fsync, rather than committing the first one alone. The bound is raised
 * here so that the test does not depend on timing; results stay exact either way.
 *
 * <p>Shown to fail: with {@code fill()} not called, the gate's batch did not wait for the fillers,
 * which stayed queued behind it (the bounded poll below reports that).
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
      SqliteBatchFailureTest.inOneBatch(store, List.of(op, op, op)); // the writer saw three
      long[] before = store.batchHistogram();
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      List<Future<Integer>> futures = new ArrayList<>();
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
                            throw new java.sql.SQLException("interrupted", e);
                          }
                          return null;
                        }));
        // two fillers, so that the gate's own batch is one of three and does not wait
        futures.add(pool.submit(() -> w.submit("filler", op)));
        futures.add(pool.submit(() -> w.submit("filler", op)));
        entered.await();
        for (int i = 0; w.queued() > 0; i++) { // until the fillers joined the gate's batch
          if (i == 10_000) {
            release.countDown();
            throw new AssertionError("the fillers did not join the gate's batch: no fill wait");
          }
          Thread.sleep(1); // polling; nothing is asserted on time
        }
        futures.add(pool.submit(() -> w.submit("first", op)));
        while (w.queued() < 1) {
          Thread.sleep(1); // polling until queued; nothing is asserted on time
        }
        release.countDown();
        gate.get();
        // the writer now holds "first" alone and waits for two more
        futures.add(pool.submit(() -> w.submit("second", op)));
        futures.add(pool.submit(() -> w.submit("third", op)));
        for (Future<Integer> f : futures) {
          assertEquals(1, f.get());
        }
      }
      long[] after = store.batchHistogram();
      assertEquals(before[3] + 2, after[3], "gate + fillers, then first + second + third");
      assertEquals(before[1], after[1], "no batch of one");
      assertTrue(after[2] == before[2], "no batch of two");
    } finally {
      SqliteWriter.fullStoreFillWaitNanos = bound;
    }
  }
}
