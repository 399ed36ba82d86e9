package dev.lockstep.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.lock.KeyedLock;
import dev.lockstep.lock.KeyedReadWriteLock;
import dev.lockstep.lock.LockHandle;
import dev.lockstep.lock.LockMode;
import dev.lockstep.lock.LockOwner;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class LockStressHarnessTest {

  @Test
  void aCorrectLockRunsClean() throws Exception {
    KeyedLock<String> lock = KeyedLock.create();
    StressReport report =
        LockStressHarness.of(lock, i -> "user-" + i).threads(6).keys(3).opsPerThread(300).run();
    report.assertClean();
    assertTrue(report.clean());
    assertEquals(6L * 300, report.outcomes().total());
    assertEquals(StressOp.values().length, report.attempts().size(), "every operation was tried");
    assertTrue(report.outcomes().acquired() > 0);
    assertTrue(report.exclusion().consistent());
  }

  @Test
  void aCorrectReadWriteLockRunsCleanOnVirtualThreads() throws Exception {
    KeyedReadWriteLock<Integer> lock = KeyedReadWriteLock.create();
    StressReport report =
        LockStressHarness.of(lock, i -> i)
            .threads(64)
            .threadKind(ThreadKind.VIRTUAL)
            .keys(2)
            .opsPerThread(100)
            .writeFraction(0.3)
            .run();
    report.assertClean();
    assertEquals(ThreadKind.VIRTUAL, report.threadKind());
  }

  /**
   * A lock whose handles hold nothing: the harness must see writers overlapping. Whether one run
   * overlaps depends on the schedule (on two cores the threads may run their sections one after
   * another), so it is given up to 20 runs.
   */
  @Test
  void detectsALockThatDoesNotExclude() throws Exception {
    LockStressHarness<Integer> harness =
        LockStressHarness.of(new GrantEverything(), i -> i)
            .threads(4)
            .keys(1)
            .opsPerThread(300)
            .operations(StressOp.ACQUIRE, StressOp.TRY_ACQUIRE)
            .holdYields(2);
    StressReport report = harness.run();
    for (int run = 1; run < 20 && report.clean(); run++) {
      report = harness.run();
    }
    assertFalse(report.clean());
    assertInstanceOf(ExclusionVerdict.Violation.class, report.exclusion());
    AssertionError e = assertThrows(AssertionError.class, report::assertClean);
    assertTrue(e.getMessage().contains("overlap on key '0'"), e.getMessage());
  }

  /** The active-keys callback is what the report's retention check uses. */
  @Test
  void reportsKeysLeftActive() throws Exception {
    KeyedLock<Integer> lock = KeyedLock.create();
    StressReport report =
        LockStressHarness.of(lock, i -> i)
            .threads(2)
            .opsPerThread(10)
            .activeKeys(() -> 3) // as a leaking lock would answer
            .run();
    assertEquals(3, report.activeKeysAfter());
    AssertionError e = assertThrows(AssertionError.class, report::assertClean);
    assertTrue(e.getMessage().contains("3 keys still active"), e.getMessage());
  }

  @Test
  void reportsHungThreadsAtTheDeadline() throws Exception {
    KeyedLock<Integer> lock = KeyedLock.create();
    LockHandle stuck = lock.acquire(0, Duration.ofSeconds(1));
    try {
      StressReport report =
          LockStressHarness.of(lock, i -> i)
              .threads(2)
              .keys(1)
              .opsPerThread(1)
              .operations(StressOp.ACQUIRE)
              .deadline(Duration.ofMillis(200))
              .run();
      assertEquals(2, report.unfinishedThreads());
      assertThrows(AssertionError.class, report::assertClean);
    } finally {
      stuck.close();
    }
  }

  @Test
  void settingsAreValidated() {
    LockStressHarness<Integer> h = LockStressHarness.of(KeyedLock.<Integer>create(), i -> i);
    assertThrows(IllegalArgumentException.class, () -> h.threads(0));
    assertThrows(IllegalArgumentException.class, () -> h.keys(0));
    assertThrows(IllegalArgumentException.class, () -> h.operations());
    assertThrows(IllegalArgumentException.class, () -> h.writeFraction(1.5));
    assertThrows(IllegalArgumentException.class, () -> h.shortTimeout(Duration.ofMillis(-1)));
    assertThrows(NullPointerException.class, () -> h.activeKeys(null));
  }

  /** Grants every request at once. */
  private static final class GrantEverything implements KeyedLock<Integer> {
    @Override
    public String name() {
      return "grant-everything";
    }

    @Override
    public LockHandle acquire(Integer key, Duration timeout) {
      return new FakeHandle(key);
    }

    @Override
    public Optional<LockHandle> tryAcquire(Integer key) {
      return Optional.of(new FakeHandle(key));
    }

    @Override
    public Optional<LockHandle> tryAcquire(Integer key, Duration timeout) {
      return tryAcquire(key);
    }

    @Override
    public CompletableFuture<LockHandle> acquireAsync(Integer key, Duration timeout) {
      return CompletableFuture.completedFuture(new FakeHandle(key));
    }

    @Override
    public CompletableFuture<LockHandle> acquireAsync(
        Integer key, Duration timeout, LockOwner owner) {
      return acquireAsync(key, timeout);
    }

    @Override
    public void release(LockHandle handle) {
      handle.close();
    }

    @Override
    public boolean isLocked(Integer key) {
      return false;
    }

    @Override
    public int activeKeys() {
      return 0;
    }
  }

  private static final class FakeHandle implements LockHandle {
    private final Integer key;
    private volatile boolean held = true;

    FakeHandle(Integer key) {
      this.key = key;
    }

    @Override
    public Object key() {
      return key;
    }

    @Override
    public LockMode mode() {
      return LockMode.EXCLUSIVE;
    }

    @Override
    public boolean isHeld() {
      return held;
    }

    @Override
    public LockHandle downgrade() {
      throw new IllegalStateException();
    }

    @Override
    public void close() {
      held = false;
    }
  }
}
