package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.testkit.IntervalRecorder;
import dev.lockstep.testkit.LockStressHarness;
import dev.lockstep.testkit.StressOp;
import dev.lockstep.testkit.StressReport;
import dev.lockstep.testkit.ThreadKind;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Concurrency properties of {@link KeyedLock} (issue 9, section 4). Each property is a static check
 * run against the real lock; a companion test runs the same check against the deliberately broken
 * variant from {@link BrokenKeyedLocks} that it exists to catch, and expects it to fail.
 */
class KeyedLockConcurrencyTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  // ------------------------------------------------ same key strictly serialized

  @Test
  void sameKeyIsStrictlySerialized() throws Exception {
    assertSameKeySerialized(KeyedLock.create(), LONG, 5);
  }

  /** Catches {@link BrokenKeyedLocks#nonLocking()} (every run) with an overlap and lost updates. */
  @Test
  void sameKeyCheckCatchesANonLockingLock() {
    assertCatches(
        "overlap on key",
        () -> assertSameKeySerialized(BrokenKeyedLocks.nonLocking(), Duration.ofSeconds(2), 1));
  }

  /**
   * Catches {@link BrokenKeyedLocks#racyCleanup()}: two holders of one key through the cleanup
   * race. A race, so it is given a few rounds; it is seen in the first round nearly always.
   */
  @Test
  void sameKeyCheckCatchesARacyCleanup() {
    assertCaughtWithin(
        10,
        "overlap on key",
        () -> assertSameKeySerialized(BrokenKeyedLocks.racyCleanup(), Duration.ofSeconds(2), 1));
  }

  static void assertSameKeySerialized(KeyedLock<Integer> lock, Duration wait, int scale)
      throws Exception {
    for (ThreadKind kind : ThreadKind.values()) {
      StressReport report =
          LockStressHarness.of(lock, i -> i)
              .threads(kind == ThreadKind.VIRTUAL ? 64 : 6)
              .threadKind(kind)
              .keys(1)
              .opsPerThread((kind == ThreadKind.VIRTUAL ? 50 : 400) * scale)
              .operations(StressOp.ACQUIRE, StressOp.TRY_ACQUIRE, StressOp.ASYNC)
              .waitTimeout(wait)
              .holdYields(2)
              .run();
      report.exclusion().orThrow();
      assertEquals(0, report.lostUpdates(), report::toString);
      assertTrue(report.outcomes().acquired() > 0, report::toString);
    }
  }

  // ------------------------------------------------ different keys overlap in time

  @Test
  void differentKeysOverlapInTime() throws Exception {
    assertDifferentKeysOverlap(KeyedLock.create());
  }

  /** Catches {@link BrokenKeyedLocks#globalMutex()}: the second key cannot enter while held. */
  @Test
  void differentKeysCheckCatchesAGlobalMutex() {
    assertCatches(
        "was not granted while", () -> assertDifferentKeysOverlap(BrokenKeyedLocks.globalMutex()));
  }

  static void assertDifferentKeysOverlap(KeyedLock<String> lock) throws Exception {
    IntervalRecorder recorder = new IntervalRecorder();
    CountDownLatch aInside = new CountDownLatch(1);
    CountDownLatch bDone = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread a =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    LockHandle h = lock.acquire("a", LONG);
                    try {
                      recorder.record(
                          "a",
                          LockMode.EXCLUSIVE,
                          () -> {
                            aInside.countDown();
                            await(bDone, 5);
                          });
                    } finally {
                      h.close();
                    }
                  } catch (Throwable t) {
                    failure.set(t);
                  }
                });
    await(aInside, 5);
    try {
      // While "a" is held, "b" must be granted at once.
      Optional<LockHandle> b = lock.tryAcquire("b", Duration.ofSeconds(1));
      assertTrue(b.isPresent(), "key 'b' was not granted while 'a' was held");
      try {
        recorder.record("b", LockMode.EXCLUSIVE, () -> {});
      } finally {
        b.get().close();
      }
    } finally {
      bDone.countDown();
      a.join();
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    recorder.assertNoOverlap();
    assertEquals(1, recorder.overlapsAcrossKeys());
    assertEquals(2, recorder.peakConcurrentKeys());

    // And under load: many threads over many keys spend time inside different keys at once. On two
    // cores one run may happen to run its sections one after another, so it is given up to 10 runs.
    LockStressHarness<String> harness =
        LockStressHarness.of(lock, i -> "k" + i)
            .threads(8)
            .keys(8)
            .opsPerThread(300)
            .operations(StressOp.ACQUIRE)
            .holdYields(3)
            .waitTimeout(Duration.ofSeconds(5));
    StressReport report = harness.run();
    report.assertClean();
    for (int run = 1; run < 10 && report.overlapsAcrossKeys() == 0; run++) {
      report = harness.run();
      report.assertClean();
    }
    assertTrue(report.overlapsAcrossKeys() > 0, report::toString);
  }

  // ------------------------------------------------ a timed-out waiter leaves the holder alone

  @Test
  void timedOutWaiterLeavesTheHolderUntouched() throws Exception {
    assertTimeoutLeavesHolderAlone(KeyedLock.create());
  }

  /** Catches {@link BrokenKeyedLocks#stealingOnTimeout()}: the holder's handle is released. */
  @Test
  void timeoutCheckCatchesALockThatStealsFromTheHolder() {
    assertCatches(
        "the key was free while its holder worked",
        () -> assertTimeoutLeavesHolderAlone(BrokenKeyedLocks.stealingOnTimeout()));
  }

  static void assertTimeoutLeavesHolderAlone(KeyedLock<String> lock) throws Exception {
    IntervalRecorder recorder = new IntervalRecorder();
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch waitersDone = new CountDownLatch(1);
    AtomicBoolean holderInterrupted = new AtomicBoolean();
    AtomicBoolean heldThroughout = new AtomicBoolean(true);
    AtomicInteger work = new AtomicInteger();
    Thread holder =
        Thread.ofPlatform()
            .name("holder")
            .start(
                () -> {
                  try {
                    LockHandle h = lock.acquire("job", LONG);
                    IntervalRecorder.Section s = recorder.enter("job");
                    holding.countDown();
                    // The holder's work: keeps going, interruptibly, until the waiters gave up.
                    while (!waitersDone.await(1, TimeUnit.MILLISECONDS)) {
                      work.incrementAndGet();
                      heldThroughout.compareAndSet(true, h.isHeld());
                    }
                    Thread.sleep(20); // interruptible, after the waiters' timeouts
                    heldThroughout.compareAndSet(true, h.isHeld());
                    work.incrementAndGet();
                    s.close();
                    h.close();
                  } catch (InterruptedException e) {
                    holderInterrupted.set(true);
                  }
                });
    await(holding, 5);
    try {
      Duration shortWait = Duration.ofMillis(30);
      LockTimeoutException e =
          assertThrows(LockTimeoutException.class, () -> lock.acquire("job", shortWait));
      assertEquals("job", e.key());
      assertTrue(
          lock.tryAcquire("job", shortWait).isEmpty(), "the key was free while its holder worked");
      ExecutionException ee =
          assertThrows(
              ExecutionException.class,
              () -> lock.acquireAsync("job", shortWait).get(5, TimeUnit.SECONDS));
      assertInstanceOf(LockTimeoutException.class, ee.getCause());
      assertTrue(lock.isLocked("job"), "the holder lost the key to a timed-out waiter");
      assertTrue(lock.tryAcquire("job").isEmpty(), "the key was free while its holder worked");
    } finally {
      waitersDone.countDown();
    }
    // A patient waiter gets the key only after the holder finished its work.
    LockHandle next = lock.acquire("job", LONG);
    recorder.record("job", LockMode.EXCLUSIVE, () -> {});
    next.close();
    holder.join();
    assertFalse(holderInterrupted.get(), "the holder was interrupted");
    assertTrue(heldThroughout.get(), "the holder's handle was released under it");
    assertTrue(work.get() > 0);
    recorder.assertNoOverlap();
    assertEquals(0, lock.activeKeys());
  }

  // ------------------------------------------------ zero entries after every release

  @Test
  void noEntryAfterEveryReleaseSequentially() throws Exception {
    assertNoEntryAfterEachRelease(KeyedLock.create());
  }

  /** Catches {@link BrokenKeyedLocks#leaky()} on the first release. */
  @Test
  void sequentialRetentionCheckCatchesALeakyLock() {
    assertCatches("entry retained", () -> assertNoEntryAfterEachRelease(BrokenKeyedLocks.leaky()));
  }

  static void assertNoEntryAfterEachRelease(KeyedLock<Integer> lock) throws Exception {
    for (int i = 0; i < 1_000; i++) {
      LockHandle h =
          switch (i % 3) {
            case 0 -> lock.acquire(i, LONG);
            case 1 -> lock.tryAcquire(i).orElseThrow();
            default -> lock.acquireAsync(i, LONG).get(5, TimeUnit.SECONDS);
          };
      assertEquals(1, lock.activeKeys());
      h.close();
      assertEquals(0, lock.activeKeys(), "entry retained after releasing key " + i);
    }
  }

  @Test
  void noEntryAfterConcurrentAcquireReleaseCancelTimeoutInterruptRaces() throws Exception {
    assertNoEntriesAfterRaces(KeyedLock.create(), LONG, 10);
  }

  /** Catches {@link BrokenKeyedLocks#leaky()}: every key used stays in its map. */
  @Test
  void raceRetentionCheckCatchesALeakyLock() {
    assertCatches(
        "keys still active",
        () -> assertNoEntriesAfterRaces(BrokenKeyedLocks.leaky(), Duration.ofMillis(200), 1));
  }

  /**
   * Catches {@link BrokenKeyedLocks#forgetfulWaits()}: cancelled, timed-out and interrupted waits
   * are granted later and never released (seen as keys still active, or as waits that hang).
   */
  @Test
  void raceRetentionCheckCatchesForgottenWaits() {
    assertCatches(
        "keys still active",
        () ->
            assertNoEntriesAfterRaces(
                BrokenKeyedLocks.forgetfulWaits(), Duration.ofMillis(100), 1));
  }

  static void assertNoEntriesAfterRaces(KeyedLock<Integer> lock, Duration wait, int scale)
      throws Exception {
    for (ThreadKind kind : ThreadKind.values()) {
      LockStressHarness<Integer> harness =
          LockStressHarness.of(lock, i -> i)
              .threads(kind == ThreadKind.VIRTUAL ? 200 : 8)
              .threadKind(kind)
              .keys(3)
              .opsPerThread((kind == ThreadKind.VIRTUAL ? 4 : 60) * scale)
              .waitTimeout(wait)
              .shortTimeout(Duration.ofMillis(1))
              .deadline(Duration.ofSeconds(60));
      // Which races one run produces depends on the schedule, so the outcomes are summed over up
      // to 5 runs until each kind of abandoned wait was seen at least once.
      long cancelled = 0;
      long interrupted = 0;
      long timedOut = 0;
      StressReport report = null;
      for (int run = 0; run < 5 && (cancelled == 0 || interrupted == 0 || timedOut == 0); run++) {
        report = harness.run();
        report.assertClean(); // includes activeKeys() == 0 after the run
        assertEquals(0, lock.activeKeys());
        StressReport.Outcomes o = report.outcomes();
        cancelled += o.cancelled();
        interrupted += o.interrupted();
        timedOut += o.timedOut();
      }
      String seen =
          cancelled
              + " cancelled, "
              + interrupted
              + " interrupted, "
              + timedOut
              + " timed out; last run: "
              + report;
      assertTrue(cancelled > 0 && interrupted > 0 && timedOut > 0, seen);
    }
  }

  // ------------------------------------------------ maxActiveKeys under concurrency

  @Test
  void limitIsEnforcedUnderConcurrency() throws Exception {
    assertLimitEnforced(opts -> KeyedLock.create(opts));
  }

  /** Catches {@link BrokenKeyedLocks#unlimited}: more keys than the limit held at once. */
  @Test
  void limitCheckCatchesALockThatIgnoresTheLimit() {
    assertCatches("held at once", () -> assertLimitEnforced(BrokenKeyedLocks::unlimited));
  }

  static void assertLimitEnforced(Function<LockOptions, KeyedLock<Integer>> make) throws Exception {
    int limit = 3;
    KeyedLock<Integer> lock = make.apply(LockOptions.named("limited").withMaxActiveKeys(limit));
    LockStressHarness<Integer> harness =
        LockStressHarness.of(lock, i -> i)
            .threads(8)
            .keys(12)
            .opsPerThread(400)
            .operations(
                StressOp.ACQUIRE, StressOp.TRY_ACQUIRE, StressOp.ASYNC, StressOp.ASYNC_CANCEL)
            .holdYields(3)
            .waitTimeout(Duration.ofSeconds(10));
    // Whether one run crowds more than the limit's keys in at once depends on the schedule (on two
    // cores the threads may barely overlap), so it is given up to 20 runs: a lock that ignores the
    // limit shows more keys held at once than the limit, the real one refuses some acquisitions.
    StressReport report = null;
    for (int run = 0; run < 20; run++) {
      report = harness.run();
      report.assertClean();
      assertTrue(
          report.peakConcurrentKeys() <= limit,
          report.peakConcurrentKeys() + " keys were held at once with maxActiveKeys " + limit);
      if (report.outcomes().rejected() > 0) {
        break;
      }
    }
    assertTrue(report.outcomes().rejected() > 0, "the limit never engaged: " + report);
    // Refusals name the limit and the count, and active keys still queue.
    try (LockHandleGroup held = LockHandleGroup.acquire(lock, 0, 1, 2)) {
      CapacityExceededException e =
          assertThrows(CapacityExceededException.class, () -> lock.acquire(3, LONG));
      assertEquals(limit, e.limit());
      assertTrue(e.getMessage().contains("maxActiveKeys is 3"), e.getMessage());
      assertTrue(held.size() == 3);
    }
    assertEquals(0, lock.activeKeys());
  }

  // ------------------------------------------------ cancel versus grant

  @Test
  void cancelVersusGrantNeverLeavesTheKeyHeld() throws Exception {
    assertCancelVersusGrantLeavesKeyFree(KeyedLock.create(), 1_500);
  }

  /** Catches {@link BrokenKeyedLocks#forgetfulWaits()}: a cancelled wait keeps the key forever. */
  @Test
  void cancelVersusGrantCheckCatchesForgottenWaits() {
    assertCatches(
        "left held",
        () -> assertCancelVersusGrantLeavesKeyFree(BrokenKeyedLocks.forgetfulWaits(), 200));
  }

  static void assertCancelVersusGrantLeavesKeyFree(KeyedLock<String> lock, int rounds)
      throws Exception {
    int grantsWon = 0;
    int cancelsWon = 0;
    for (int i = 0; i < rounds; i++) {
      String key = "k" + (i % 4);
      LockHandle holder = lock.acquire(key, LONG);
      int race = i % 3;
      CountDownLatch go = new CountDownLatch(1);
      Thread releaser =
          Thread.ofPlatform()
              .start(
                  () -> {
                    await(go, 5);
                    holder.close();
                  });
      switch (race) {
        case 0 -> { // the waiter's future is cancelled while the holder releases
          CompletableFuture<LockHandle> w = lock.acquireAsync(key, LONG);
          go.countDown();
          if (w.cancel(false)) {
            cancelsWon++;
          } else {
            grantsWon++;
            w.get(5, TimeUnit.SECONDS).close();
          }
        }
        case 1 -> { // the waiter's timeout fires while the holder releases
          CompletableFuture<LockHandle> w = lock.acquireAsync(key, Duration.ofNanos(50_000));
          go.countDown();
          try {
            w.get(5, TimeUnit.SECONDS).close();
            grantsWon++;
          } catch (ExecutionException e) {
            assertInstanceOf(LockTimeoutException.class, e.getCause());
            cancelsWon++;
          }
        }
        default -> { // a blocked waiter is interrupted while the holder releases
          AtomicBoolean got = new AtomicBoolean();
          Thread waiter =
              Thread.ofPlatform()
                  .start(
                      () -> {
                        try {
                          lock.acquire(key, LONG).close();
                          got.set(true);
                        } catch (InterruptedException e) {
                          // the interrupt won
                        }
                      });
          go.countDown();
          waiter.interrupt();
          waiter.join(TimeUnit.SECONDS.toMillis(10));
          assertFalse(waiter.isAlive(), "the interrupted waiter hangs");
          if (got.get()) {
            grantsWon++;
          } else {
            cancelsWon++;
          }
        }
      }
      releaser.join();
      Optional<LockHandle> free = lock.tryAcquire(key);
      assertTrue(
          free.isPresent(), "round " + i + ": key '" + key + "' left held (race " + race + ")");
      free.get().close();
      assertEquals(0, lock.activeKeys(), "round " + i + ": entry retained (race " + race + ")");
    }
    assertTrue(cancelsWon > 0, "no cancellation ever won");
    assertTrue(grantsWon + cancelsWon == rounds);
  }

  // ------------------------------------------------ helpers

  /** Runs a check against a broken variant; it must fail, and for the expected reason. */
  static void assertCatches(String symptom, ThrowingRunnable check) {
    AssertionError e = assertThrows(AssertionError.class, check::run);
    assertTrue(
        String.valueOf(e.getMessage()).contains(symptom),
        () -> "failed, but not with '" + symptom + "': " + e);
  }

  /** Runs a check that should fail (a race) up to {@code rounds} times; fails if it never does. */
  static void assertCaughtWithin(int rounds, String symptom, ThrowingRunnable check) {
    for (int i = 0; i < rounds; i++) {
      try {
        check.run();
      } catch (AssertionError expected) {
        assertTrue(
            String.valueOf(expected.getMessage()).contains(symptom),
            () -> "failed, but not with '" + symptom + "': " + expected);
        return;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    fail("the broken variant went unnoticed in " + rounds + " rounds");
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  static void await(CountDownLatch latch, int seconds) {
    try {
      if (!latch.await(seconds, TimeUnit.SECONDS)) {
        throw new AssertionError("timed out waiting for a latch");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Holds several keys; closes them all. */
  static final class LockHandleGroup implements AutoCloseable {
    private final LockHandle[] handles;

    private LockHandleGroup(LockHandle[] handles) {
      this.handles = handles;
    }

    static LockHandleGroup acquire(KeyedLock<Integer> lock, Integer... keys)
        throws InterruptedException {
      LockHandle[] hs = new LockHandle[keys.length];
      for (int i = 0; i < keys.length; i++) {
        hs[i] = lock.acquire(keys[i], LONG);
      }
      return new LockHandleGroup(hs);
    }

    int size() {
      return handles.length;
    }

    @Override
    public void close() {
      for (LockHandle h : handles) {
        h.close();
      }
    }
  }
}
