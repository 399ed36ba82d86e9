package dev.lockstep.lock;

import static dev.lockstep.lock.KeyedLockConcurrencyTest.assertCatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.LockStressHarness;
import dev.lockstep.testkit.StressReport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Bad input (issue 9, section 6) while the same keys are in heavy use: every bad call gets its
 * clear exception, and the lock is not corrupted — the concurrent stress run stays clean and no key
 * is retained.
 */
class BadInputUnderConcurrencyTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final Duration NEGATIVE = Duration.ofMillis(-1);

  @Test
  void badInputDuringLoadIsRefusedAndCorruptsNothing() throws Exception {
    assertBadInputHarmless(KeyedLock.create(LockOptions.named("users")));
  }

  /** Catches {@link BrokenKeyedLocks#lenientRelease()}: another lock's handle gets released. */
  @Test
  void badInputCheckCatchesALockThatReleasesForeignHandles() {
    assertCatches(
        "another lock's handle", () -> assertBadInputHarmless(BrokenKeyedLocks.lenientRelease()));
  }

  static void assertBadInputHarmless(KeyedLock<Integer> lock) throws Exception {
    KeyedLock<Integer> other = KeyedLock.create(LockOptions.named("other"));
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread abuser =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    for (int i = 0; running.get() || i < 50; i++) {
                      abuse(lock, other, i % 3);
                    }
                  } catch (Throwable t) {
                    failure.set(t);
                  }
                });
    StressReport report;
    try {
      report = LockStressHarness.of(lock, i -> i).threads(6).keys(3).opsPerThread(500).run();
    } finally {
      running.set(false);
      abuser.join();
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    report.assertClean();
    assertEquals(0, lock.activeKeys());
    assertEquals(0, other.activeKeys());
  }

  private static void abuse(KeyedLock<Integer> lock, KeyedLock<Integer> other, int key)
      throws Exception {
    assertThrows(NullPointerException.class, () -> lock.acquire(null, LONG));
    assertThrows(NullPointerException.class, () -> lock.tryAcquire(null));
    assertThrows(NullPointerException.class, () -> lock.acquire(key, null));
    assertThrows(IllegalArgumentException.class, () -> lock.acquire(key, NEGATIVE));
    assertThrows(IllegalArgumentException.class, () -> lock.tryAcquire(key, NEGATIVE));
    assertRefused(NullPointerException.class, () -> lock.acquireAsync(null, LONG));
    assertRefused(IllegalArgumentException.class, () -> lock.acquireAsync(key, NEGATIVE));
    assertRefused(NullPointerException.class, () -> lock.acquireAsync(key, LONG, null));
    assertThrows(NullPointerException.class, () -> lock.release(null));

    LockHandle foreign = other.acquire(key, LONG);
    IllegalArgumentException refused = null;
    try {
      lock.release(foreign);
    } catch (IllegalArgumentException e) {
      refused = e;
    }
    assertTrue(foreign.isHeld(), "another lock's handle was released by this lock");
    assertTrue(
        refused != null && refused.getMessage().contains("'" + lock.name() + "'"),
        "not refused clearly");
    assertThrows(IllegalStateException.class, foreign::downgrade);
    assertTrue(foreign.isHeld(), "a refused downgrade released the handle");
    other.release(foreign);
    other.release(foreign); // double release: a no-op
    assertFalse(foreign.isHeld());
  }

  /** The call either throws the exception or returns a future failed with it. */
  private static void assertRefused(
      Class<? extends Throwable> type, Supplier<CompletableFuture<?>> call) {
    CompletableFuture<?> f;
    try {
      f = call.get();
    } catch (RuntimeException e) {
      assertInstanceOf(type, e);
      return;
    }
    CompletionException e = assertThrows(CompletionException.class, f::join);
    assertInstanceOf(type, e.getCause());
  }
}
