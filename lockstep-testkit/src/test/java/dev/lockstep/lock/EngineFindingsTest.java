package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.LockStressHarness;
import dev.lockstep.testkit.StressOp;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for engine bugs the concurrency tests found; each failed on the engine before
 * its fix (the descriptions below say what was wrong and how it was fixed).
 */
class EngineFindingsTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  /**
   * Bug: an asynchronous wait that times out fails with a {@link LockTimeoutException} whose {@code
   * timeout()} (and message, "timed out after PT0S") is zero whenever statistics are off: {@code
   * LockEngine.abandon} reports {@code Duration.ofNanos(waited)}, and {@code waited} is only
   * measured when recording. Fix: keep the requested timeout in the waiter and report it, as the
   * blocking path does.
   */
  @Test
  void asyncTimeoutExceptionNamesTheTimeoutThatRanOut() throws Exception {
    KeyedLock<String> lock = KeyedLock.create(LockOptions.named("users"));
    try (LockHandle h = lock.acquire("alice", LONG)) {
      Duration timeout = Duration.ofMillis(50);
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> lock.acquireAsync("alice", timeout).get(5, TimeUnit.SECONDS));
      LockTimeoutException te = assertInstanceOf(LockTimeoutException.class, e.getCause());
      assertEquals(timeout, te.timeout(), te.getMessage());
      assertTrue(te.getMessage().contains("PT0.05S"), te.getMessage());
      assertTrue(h.isHeld());
    }
  }

  /**
   * Bug: {@code activeKeys()} sums the stripes one after another, each under its own lock, so it is
   * not a snapshot: while keys come and go it can count a key that left one stripe and a key that
   * entered another, reporting more keys than were ever active at once — here more than {@code
   * maxActiveKeys}, which the limit itself (an exact atomic counter) never allowed. Seen within a
   * second on 2 cores. Fix: with a limit, return the exact {@code active} counter; without one,
   * keep a counter too (or document the result as an estimate, like {@code
   * ConcurrentHashMap.size()}).
   */
  @Test
  void activeKeysNeverExceedsTheLimit() throws Exception {
    int limit = 3;
    KeyedLock<Integer> lock = KeyedLock.create(LockOptions.named("l").withMaxActiveKeys(limit));
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger peak = new AtomicInteger();
    Thread sampler =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (running.get()) {
                    peak.accumulateAndGet(lock.activeKeys(), Math::max);
                    Thread.onSpinWait();
                  }
                });
    try {
      for (int round = 0; round < 20 && peak.get() <= limit; round++) {
        LockStressHarness.of(lock, i -> i)
            .threads(8)
            .keys(12)
            .opsPerThread(400)
            .operations(
                StressOp.ACQUIRE, StressOp.TRY_ACQUIRE, StressOp.ASYNC, StressOp.ASYNC_CANCEL)
            .holdYields(3)
            .run()
            .assertClean();
      }
    } finally {
      running.set(false);
      sampler.join();
    }
    assertTrue(peak.get() <= limit, "activeKeys() reported " + peak.get() + " > limit " + limit);
  }

  /**
   * Bug: every asynchronous timeout of every lock in the JVM fires on one shared timer thread, and
   * the timed-out future is completed on it, so the caller's callbacks run there. One callback that
   * blocks (here for 5 s) delays the timeouts of all other locks by as long. Fix: complete the
   * timed-out future off the timer thread (e.g. {@code completeExceptionallyAsync}-style hand-off
   * to an executor or a fresh virtual thread), keeping the timer thread for scheduling only.
   */
  @Test
  void aBlockingTimeoutCallbackDoesNotDelayOtherLocksTimeouts() throws Exception {
    KeyedLock<String> a = KeyedLock.create(LockOptions.named("a"));
    KeyedLock<String> b = KeyedLock.create(LockOptions.named("b"));
    try (LockHandle ha = a.acquire("k", LONG);
        LockHandle hb = b.acquire("k", LONG)) {
      // The timeout is long enough for the callback to be registered before it fires (were the
      // future already complete, the callback would run here, on the test thread, proving nothing).
      CompletableFuture<LockHandle> slow = a.acquireAsync("k", Duration.ofMillis(300));
      Thread test = Thread.currentThread();
      CompletableFuture<Thread> callbackThread = new CompletableFuture<>();
      slow.whenComplete(
          (h, e) -> {
            callbackThread.complete(Thread.currentThread());
            sleepQuietly(5_000); // runs where the future completes
          });
      // a's timeout has fired; its callback now blocks the thread that completed it
      assertNotSame(test, callbackThread.get(10, TimeUnit.SECONDS));
      long t0 = System.nanoTime();
      CompletableFuture<LockHandle> other = b.acquireAsync("k", Duration.ofMillis(20));
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> other.get(10, TimeUnit.SECONDS));
      assertInstanceOf(LockTimeoutException.class, e.getCause());
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      // 2 s: far above the fixed ~20 ms (CI may be slow), far below the bug's ~5 s.
      assertTrue(millis < 2_000, "a 20 ms timeout of lock b fired after " + millis + " ms");
      assertTrue(ha.isHeld() && hb.isHeld());
    }
  }

  /**
   * Bug (liveness): grants are completed through a per-thread trampoline, so a completion callback
   * that releases another key and then waits for the future that release granted waits forever: the
   * second completion is queued behind the callback on the same thread. Here the wait is bounded at
   * 10 s and fails. Fix: when already trampolining, complete futures whose callbacks may block
   * elsewhere (or document that callbacks must not wait for other grants; the blocking equivalent
   * works).
   */
  @Test
  void aGrantCallbackMayReleaseAndAwaitAnotherGrant() throws Exception {
    KeyedLock<String> lock = KeyedLock.create();
    LockHandle holdsA = lock.acquire("a", LONG);
    LockHandle holdsB = lock.acquire("b", LONG);
    CompletableFuture<LockHandle> waitsB = lock.acquireAsync("b", LONG);
    CompletableFuture<String> chain =
        lock.acquireAsync("a", LONG)
            .thenApply(
                gotA -> {
                  holdsB.close(); // grants waitsB ...
                  try {
                    LockHandle gotB = waitsB.get(10, TimeUnit.SECONDS); // ... which never completes
                    gotB.close();
                    return "ok";
                  } catch (Exception e) {
                    return "waitsB did not complete: " + e;
                  } finally {
                    gotA.close();
                  }
                });
    holdsA.close(); // completes the wait for "a" on this thread, running the callback here
    assertEquals("ok", chain.get(5, TimeUnit.SECONDS));
    assertEquals(0, lock.activeKeys());
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
