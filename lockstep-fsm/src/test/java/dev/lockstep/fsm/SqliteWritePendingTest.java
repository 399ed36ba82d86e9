package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Every caller of a batch gets its own answer although the writer wakes only the first (each woken
 * caller wakes two more), including callers answered earlier by a failure, whose children the
 * writer then wakes itself.
 *
 * <p>Shown to fail: with {@code await} not waking its children, callers that only the tree wakes
 * stayed parked (the join bound ended the wait; n=3: caller 1, n=7 with 1 failed early: 2, 5, 6);
 * with {@code answerAll} not waking the children of a caller answered earlier, callers 3 and 4 of
 * {@code aCallerAnsweredEarlierKeepsItsAnswerAndItsChildrenAreWoken} stayed parked.
 */
class SqliteWritePendingTest {
  private static final long HANG_GUARD_MS = 10_000; // a bound for a broken variant, never timing

  @Test
  void everyCallerOfABatchGetsItsOwnAnswer() throws Exception {
    for (int n = 1; n <= 20; n++) {
      runBatch(n, -1);
    }
  }

  @Test
  void aCallerAnsweredEarlierKeepsItsAnswerAndItsChildrenAreWoken() throws Exception {
    runBatch(7, 1); // caller 1 (children 3 and 4) failed before the batch was answered
  }

  /** {@code n} parked callers; caller {@code failed} (if >= 0) is answered early with an error. */
  private static void runBatch(int n, int failed) throws Exception {
    List<SqliteWritePending<Object>> batch = new ArrayList<>();
    ConcurrentHashMap<Integer, Object> got = new ConcurrentHashMap<>();
    CountDownLatch created = new CountDownLatch(n);
    List<Thread> threads = new ArrayList<>();
    Object[] results = new Object[n];
    Throwable[] errors = new Throwable[n];
    List<SqliteWritePending<Object>> slots =
        java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < n; i++) {
      slots.add(null);
    }
    for (int i = 0; i < n; i++) {
      int k = i;
      results[i] = "r" + i;
      if (i % 3 == 2) {
        errors[i] = new IllegalStateException("e" + i);
      }
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    SqliteWritePending<Object> p =
                        new SqliteWritePending<>((c, r) -> null, Thread.currentThread());
                    slots.set(k, p);
                    created.countDown();
                    try {
                      got.put(k, p.await());
                    } catch (Throwable t) {
                      got.put(k, t);
                    }
                  }));
    }
    created.await();
    batch.addAll(slots);
    Throwable early = new IllegalStateException("failed early");
    if (failed >= 0) {
      batch.get(failed).fail(early);
    }
    SqliteWritePending.answerAll(batch, results, errors);
    for (Thread t : threads) {
      t.join(HANG_GUARD_MS);
    }
    List<Integer> unanswered = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (!got.containsKey(i)) {
        unanswered.add(i);
      }
    }
    assertTrue(unanswered.isEmpty(), "n=" + n + ", unanswered: " + unanswered);
    for (int i = 0; i < n; i++) {
      Object want = i == failed ? early : errors[i] != null ? errors[i] : results[i];
      assertEquals(want, got.get(i), "caller " + i + " of " + n);
    }
  }
}
