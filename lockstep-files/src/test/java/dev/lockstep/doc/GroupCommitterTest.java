package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Batch filling: a leader that finds fewer commits queued than the last batch took waits for the
 * others (up to a fraction of the last batch's duration; here the whole of it) before it drains.
 *
 * <p>Checked against a broken variant: without the wait ({@code awaitFullBatch} returning at once)
 * the second batch takes only its leader's commit, and the batch sizes are [3, 1, 1, 1]. Callers
 * park on their own threads: one queued while a batch runs is unparked when it ends and leads the
 * next; checked against a broken variant that unparks only the callers the batch answered (the
 * queued one then sleeps until its deadline: "was not woken to lead"). A caller decides whether to
 * lead, wait or return in one hold of the committer's monitor: checked against the earlier variant
 * that asked "may I lead?" and "am I still queued?" in two holds, whose callers now and then parked
 * after their wake-up was used up by a park inside the monitor's lock (the stress test below then
 * timed out, with callers parked forever). The answered callers are unparked on another thread (the
 * wakers), late here; when that executor refuses the task the leader unparks them itself: checked
 * against a variant without that fallback (its callers parked forever, the test timed out).
 */
class GroupCommitterTest {
  private static final long DEADLINE = Duration.ofSeconds(60).toNanos();

  @Test
  void aLeaderWaitsForTheCallersOfTheLastBatch() throws Exception {
    GroupCommitter<String> committer = new GroupCommitter<>(1);
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    CountDownLatch letFirstDrain = new CountDownLatch(1);
    CountDownLatch secondLeading = new CountDownLatch(1);
    GroupCommitter.Batch<String> batch =
        (drain, leader) -> {
          try {
            if (sizes.isEmpty()) {
              letFirstDrain.await();
            } else {
              secondLeading.countDown();
            }
            List<PendingCommit<String>> ops = drain.get();
            sizes.add(ops.size());
            if (sizes.size() == 1) {
              Thread.sleep(1000); // the last batch's duration: the next leader may wait as long
            }
            for (PendingCommit<String> op : ops) {
              op.complete(new Versioned<>("v", sizes.size()));
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      // batch 1: three commits, queued before the leader drains
      List<Future<Versioned<String>>> first = List.of(submit(pool, committer, batch));
      awaitQueued(committer, 1);
      List<Future<Versioned<String>>> joined =
          List.of(submit(pool, committer, batch), submit(pool, committer, batch));
      awaitQueued(committer, 3);
      letFirstDrain.countDown();
      for (Future<Versioned<String>> f : concat(first, joined)) {
        assertEquals(1, f.get(60, TimeUnit.SECONDS).revision());
      }
      // batch 2: its leader comes alone; the other two arrive only once it leads
      Future<Versioned<String>> leader = submit(pool, committer, batch);
      secondLeading.await();
      List<Future<Versioned<String>>> late =
          List.of(submit(pool, committer, batch), submit(pool, committer, batch));
      for (Future<Versioned<String>> f : concat(List.of(leader), late)) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertEquals(List.of(3, 3), sizes, "batch sizes");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aCommitQueuedDuringABatchIsLedOnceItEnds() throws Exception {
    GroupCommitter<String> committer = new GroupCommitter<>();
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    CountDownLatch firstDrained = new CountDownLatch(1);
    CountDownLatch letFirstEnd = new CountDownLatch(1);
    GroupCommitter.Batch<String> batch =
        (drain, leader) -> {
          List<PendingCommit<String>> ops = drain.get();
          sizes.add(ops.size());
          if (sizes.size() == 1) {
            firstDrained.countDown();
            try {
              letFirstEnd.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          for (PendingCommit<String> op : ops) {
            op.complete(new Versioned<>("v", sizes.size()));
          }
        };
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Versioned<String>> first = submit(pool, committer, batch);
      firstDrained.await();
      Future<Versioned<String>> queued = submit(pool, committer, batch);
      awaitQueued(committer, 1); // parked behind the running batch, its deadline a minute away
      letFirstEnd.countDown();
      assertEquals(1, first.get(60, TimeUnit.SECONDS).revision());
      assertEquals(
          2,
          queued.get(10, TimeUnit.SECONDS).revision(),
          "the queued caller was not woken to lead when the batch ended");
      assertEquals(List.of(1, 1), sizes, "batch sizes");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void noCallerSleepsThroughTheWakeUpOfItsAnswer() throws Exception {
    // many small batches: callers contend for the monitor while batches end, so a wake-up often
    // comes while its caller is parked waiting for the monitor's lock
    GroupCommitter<String> committer = new GroupCommitter<>();
    GroupCommitter.Batch<String> batch =
        (drain, leader) -> {
          List<PendingCommit<String>> ops = drain.get();
          for (PendingCommit<String> op : ops) {
            op.complete(new Versioned<>("v", 1));
            committer.queued(); // takes the monitor while callers decide
          }
        };
    stress(committer, batch, 16, 3_000);
  }

  @Test
  void answeredCallersWakeWhenTheirWakeUpsAreHandedOff() throws Exception {
    // the wake-ups run late, on another thread, while the next batches run
    ExecutorService late = Executors.newSingleThreadExecutor();
    try {
      stress(
          new GroupCommitter<>(
              GroupCommitter.WAIT_DIVISOR,
              task ->
                  late.execute(
                      () -> {
                        try {
                          Thread.sleep(0, 200_000);
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                        task.run();
                      })),
          8,
          500);
    } finally {
      late.shutdownNow();
    }
  }

  @Test
  void answeredCallersWakeWhenNoThreadTakesTheirWakeUps() throws Exception {
    stress(
        new GroupCommitter<>(
            GroupCommitter.WAIT_DIVISOR,
            task -> {
              throw new RejectedExecutionException("no thread");
            }),
        8,
        500);
  }

  /** {@code threads} callers commit {@code commits} times each; all must be answered in 30 s. */
  private static void stress(GroupCommitter<String> committer, int threads, int commits)
      throws Exception {
    stress(
        committer,
        (drain, leader) -> {
          for (PendingCommit<String> op : drain.get()) {
            op.complete(new Versioned<>("v", 1));
          }
        },
        threads,
        commits);
  }

  /** As above, with the batches run by {@code batch}. */
  private static void stress(
      GroupCommitter<String> committer,
      GroupCommitter.Batch<String> batch,
      int threads,
      int commits)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> callers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        callers.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < commits; i++) {
                    PendingCommit<String> op =
                        new PendingCommit<>(Change.Operation.UPDATE, (v, r) -> v);
                    committer.submit(
                        op,
                        System.nanoTime() + DEADLINE,
                        batch,
                        () -> new IllegalStateException("late"));
                  }
                  return null;
                }));
      }
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      for (Future<?> caller : callers) {
        caller.get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static Future<Versioned<String>> submit(
      ExecutorService pool, GroupCommitter<String> committer, GroupCommitter.Batch<String> batch) {
    PendingCommit<String> op = new PendingCommit<>(Change.Operation.UPDATE, (v, r) -> v);
    return pool.submit(
        () ->
            committer.submit(
                op, System.nanoTime() + DEADLINE, batch, () -> new IllegalStateException("late")));
  }

  private static void awaitQueued(GroupCommitter<String> committer, int n)
      throws InterruptedException {
    while (committer.queued() < n) {
      Thread.sleep(1);
    }
  }

  private static <E> List<E> concat(List<E> a, List<E> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
