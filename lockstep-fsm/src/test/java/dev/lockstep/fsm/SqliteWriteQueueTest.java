package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The writer's queue wakes its consumer when the size it waits for is reached (not on every add),
 * by an urgent element whatever the size, and at its deadline; nothing is lost or reordered.
 *
 * <p>Shown to fail: with {@code awaitSize} returning after the first wake-up and an add that wakes
 * on every element, {@code theConsumerWakesWhenTheSizeItWaitsForIsReached} got {@code false} at
 * size 1; with {@code add} never waking the consumer, that test's consumer was never woken (its
 * join bound ended the wait); with the urgent flag ignored as well, {@code
 * anUrgentElementWakesAConsumerWaitingForMore} failed alike.
 */
class SqliteWriteQueueTest {
  private static final long HANG_GUARD_MS = 10_000; // a bound for a broken variant, never timing

  @Test
  void theConsumerWakesWhenTheSizeItWaitsForIsReached() throws Exception {
    for (int round = 0; round < 200; round++) {
      SqliteWriteQueue<Integer> q = new SqliteWriteQueue<>();
      int[] seen = new int[1];
      CompletableFuture<Boolean> woke = new CompletableFuture<>();
      Thread consumer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      boolean r = q.awaitSize(3, 0);
                      seen[0] = q.size();
                      woke.complete(r);
                    } catch (InterruptedException e) {
                      woke.completeExceptionally(e);
                    }
                  });
      for (int i = 0; i < 3; i++) {
        int v = i;
        Thread.ofPlatform().start(() -> q.add(v)).join();
        if (round % 2 == 0) {
          Thread.onSpinWait(); // some rounds give the consumer a chance to park between adds
          Thread.yield();
        }
      }
      consumer.join(HANG_GUARD_MS);
      assertTrue(woke.isDone(), "the consumer was never woken");
      assertTrue(woke.get(), "woke before three were queued");
      assertTrue(seen[0] >= 3, "size at wake-up: " + seen[0]);
      List<Integer> out = new ArrayList<>();
      assertEquals(3, q.drainTo(out, 10));
      assertEquals(List.of(0, 1, 2), out);
      assertEquals(0, q.size());
    }
  }

  @Test
  void anUrgentElementWakesAConsumerWaitingForMore() throws Exception {
    SqliteWriteQueue<String> q = new SqliteWriteQueue<>();
    q.add("a");
    CompletableFuture<Boolean> woke = new CompletableFuture<>();
    Thread consumer =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    woke.complete(q.awaitSize(8, 0));
                  } catch (InterruptedException e) {
                    woke.completeExceptionally(e);
                  }
                });
    q.addUrgent("stop");
    consumer.join(HANG_GUARD_MS);
    assertTrue(woke.isDone(), "the urgent element did not wake the consumer");
    assertFalse(woke.get());
    List<String> out = new ArrayList<>();
    q.drainTo(out, 8);
    assertEquals(List.of("a", "stop"), out);
  }

  @Test
  void aDeadlineEndsTheWaitWithFewer() throws Exception {
    SqliteWriteQueue<String> q = new SqliteWriteQueue<>();
    q.add("a");
    assertFalse(q.awaitSize(2, System.nanoTime() + 1_000_000));
    assertTrue(q.awaitSize(1, System.nanoTime() + 1_000_000));
    assertEquals("a", q.poll());
    assertEquals(null, q.poll());
  }
}
