package dev.lockstep.lock;

import static dev.lockstep.lock.KeyedLockConcurrencyTest.assertCatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.LockStressHarness;
import dev.lockstep.testkit.StressReport;
import dev.lockstep.testkit.ThreadKind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Fairness, downgrade and upgrade of {@link KeyedReadWriteLock} (issue 9, sections 2 and 4), each
 * check also run against the broken variant from {@link BrokenReadWriteLocks} it exists to catch.
 */
class ReadWriteFairnessTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  /**
   * How long a check lets an asynchronous request reach the lock's queue. The real lock queues
   * synchronously; the broken variants queue on a thread of their own.
   */
  private static final long SETTLE_MILLIS = 100;

  // ------------------------------------------------ a waiting writer stops newly arriving readers

  @Test
  void waitingWriterStopsNewlyArrivingReaders() throws Exception {
    assertWaitingWriterStopsNewReaders(KeyedReadWriteLock.create());
  }

  /** Catches {@link BrokenReadWriteLocks#readerPreference()}: the new reader barges in. */
  @Test
  void writerPriorityCheckCatchesReaderPreference() {
    assertCatches(
        "barged past a waiting writer",
        () -> assertWaitingWriterStopsNewReaders(BrokenReadWriteLocks.readerPreference()));
  }

  static void assertWaitingWriterStopsNewReaders(KeyedReadWriteLock<String> lock) throws Exception {
    LockHandle r1 = lock.acquireRead("doc", LONG);
    CompletableFuture<LockHandle> writer = lock.acquireWriteAsync("doc", LONG);
    settle();
    assertFalse(writer.isDone(), "the writer entered while a reader held the key");
    // A newly arriving reader (another thread) must queue behind the writer.
    Optional<LockHandle> barging = onOtherThread(() -> lock.tryAcquireRead("doc"));
    barging.ifPresent(LockHandle::close);
    assertTrue(barging.isEmpty(), "a new reader barged past a waiting writer");
    CompletableFuture<LockHandle> r2 = lock.acquireReadAsync("doc", LONG);
    settle();
    assertFalse(r2.isDone(), "a new reader barged past a waiting writer");
    r1.close();
    LockHandle w = writer.get(5, TimeUnit.SECONDS);
    assertTrue(w.isHeld());
    settle();
    assertFalse(r2.isDone(), "a reader entered while the writer held the key");
    w.close();
    r2.get(5, TimeUnit.SECONDS).close();
    assertEquals(0, lock.activeKeys());
  }

  // ------------------------------------------------ readers queued behind a writer enter together

  @Test
  void readersQueuedBehindAWriterEnterTogetherAfterIt() throws Exception {
    assertQueuedReadersEnterTogether(KeyedReadWriteLock.create());
  }

  /** Catches {@link BrokenReadWriteLocks#readsExclusive()}: only one queued reader enters. */
  @Test
  void readersTogetherCheckCatchesExclusiveReads() {
    assertCatches(
        "did not enter together",
        () -> assertQueuedReadersEnterTogether(BrokenReadWriteLocks.readsExclusive()));
  }

  static void assertQueuedReadersEnterTogether(KeyedReadWriteLock<String> lock) throws Exception {
    LockHandle w1 = lock.acquireWrite("doc", LONG);
    List<CompletableFuture<LockHandle>> readers =
        List.of(
            lock.acquireReadAsync("doc", LONG),
            lock.acquireReadAsync("doc", LONG),
            lock.acquireReadAsync("doc", LONG));
    settle();
    CompletableFuture<LockHandle> w2 = lock.acquireWriteAsync("doc", LONG);
    settle();
    CompletableFuture<LockHandle> lateReader = lock.acquireReadAsync("doc", LONG);
    settle();
    for (CompletableFuture<LockHandle> r : readers) {
      assertFalse(r.isDone(), "a reader entered while the writer held the key");
    }
    w1.close();
    LockHandle[] in = new LockHandle[readers.size()];
    for (int i = 0; i < in.length; i++) {
      try {
        in[i] = readers.get(i).get(2, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("queued readers did not enter together: reader " + i + " waits");
      }
    }
    for (LockHandle h : in) {
      assertTrue(h.isHeld(), "queued readers did not enter together");
    }
    settle();
    assertFalse(w2.isDone(), "the second writer entered with readers inside");
    assertFalse(lateReader.isDone(), "a reader queued behind the second writer overtook it");
    for (LockHandle h : in) {
      h.close();
    }
    LockHandle second = w2.get(5, TimeUnit.SECONDS);
    settle();
    assertFalse(lateReader.isDone(), "a reader entered while the second writer held the key");
    second.close();
    lateReader.get(5, TimeUnit.SECONDS).close();
    assertEquals(0, lock.activeKeys());
  }

  // ------------------------------------------------ downgrade

  @Test
  void downgradeIsAtomicAndLetsQueuedReadersIn() throws Exception {
    assertDowngradeAtomic(KeyedReadWriteLock.create());
  }

  /** Catches {@link BrokenReadWriteLocks#downgradeByRelease()}: the queued writer slips in. */
  @Test
  void downgradeCheckCatchesReleaseThenRead() {
    assertCatches(
        "queued writer got in during the downgrade",
        () -> assertDowngradeAtomic(BrokenReadWriteLocks.downgradeByRelease()));
  }

  static void assertDowngradeAtomic(KeyedReadWriteLock<String> lock) throws Exception {
    // A writer queued behind the holder must not slip in between write and read.
    LockHandle w = lock.acquireWrite("doc", LONG);
    CompletableFuture<LockHandle> writer = lock.acquireWriteAsync("doc", LONG);
    settle();
    LockHandle r;
    try {
      r = w.downgrade();
    } catch (RuntimeException e) {
      throw new AssertionError("a queued writer got in during the downgrade", e);
    }
    assertFalse(writer.isDone(), "a queued writer got in during the downgrade");
    assertFalse(w.isHeld(), "the write handle is still held after downgrading");
    assertTrue(r.isHeld());
    assertEquals(LockMode.SHARED, r.mode());
    assertThrows(IllegalStateException.class, w::downgrade, "a released handle downgraded");
    assertThrows(IllegalStateException.class, r::downgrade, "a read handle downgraded");
    r.close();
    writer.get(5, TimeUnit.SECONDS).close();

    // Readers queued at the head enter together with the downgraded holder; a writer behind waits.
    LockHandle w2 = lock.acquireWrite("doc", LONG);
    CompletableFuture<LockHandle> reader = lock.acquireReadAsync("doc", LONG);
    settle();
    CompletableFuture<LockHandle> writer2 = lock.acquireWriteAsync("doc", LONG);
    settle();
    LockHandle r2 = w2.downgrade();
    LockHandle other = reader.get(5, TimeUnit.SECONDS);
    assertTrue(r2.isHeld() && other.isHeld());
    settle();
    assertFalse(writer2.isDone(), "a writer entered with readers inside");
    r2.close();
    other.close();
    writer2.get(5, TimeUnit.SECONDS).close();
    assertEquals(0, lock.activeKeys());
  }

  // ------------------------------------------------ upgrade refused

  @Test
  void upgradeIsRefusedWithLockUpgradeException() throws Exception {
    assertUpgradeRefused(KeyedReadWriteLock.create(LockOptions.named("docs")));
  }

  /** Catches {@link BrokenReadWriteLocks#upgradeWaits()}: the upgrade times out instead. */
  @Test
  void upgradeCheckCatchesAnUpgradeThatWaits() {
    assertCatches(
        "LockUpgradeException", () -> assertUpgradeRefused(BrokenReadWriteLocks.upgradeWaits()));
  }

  static void assertUpgradeRefused(KeyedReadWriteLock<String> lock) throws Exception {
    LockHandle r = lock.acquireRead("doc", LONG);
    long t0 = System.nanoTime();
    LockUpgradeException e =
        assertThrows(
            LockUpgradeException.class, () -> lock.acquireWrite("doc", Duration.ofSeconds(15)));
    // Immediate, not a wait for the 15 s timeout; the bound leaves room for a slow CI machine.
    assertTrue(
        System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "the refusal was not immediate");
    assertTrue(e.getMessage().contains("'doc'"), e.getMessage());
    assertThrows(
        LockUpgradeException.class, () -> lock.tryAcquireWrite("doc", Duration.ofMillis(200)));
    assertThrows(LockUpgradeException.class, () -> lock.tryAcquireWrite("doc"));
    assertTrue(r.isHeld(), "the refused upgrade cost the read hold");
    // Other readers still share the key.
    Optional<LockHandle> another = onOtherThread(() -> lock.tryAcquireRead("doc"));
    assertTrue(another.isPresent());
    another.get().close();
    r.close();
    assertEquals(0, lock.activeKeys());
  }

  // ------------------------------------------------ the single-resource lock

  @Test
  void singleResourceLockDowngradesAndRefusesUpgrade() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("config"));
    LockHandle w = lock.acquireWrite(LONG);
    CompletableFuture<LockHandle> writer = lock.acquireWriteAsync(LONG);
    LockHandle r = w.downgrade();
    assertFalse(writer.isDone());
    assertThrows(LockUpgradeException.class, () -> lock.acquireWrite(LONG));
    assertTrue(onOtherThread(lock::tryAcquireRead).isEmpty(), "reader barged past the writer");
    r.close();
    writer.get(5, TimeUnit.SECONDS).close();
  }

  // ------------------------------------------------ exclusion under stress

  @Test
  void readWriteExclusionUnderStress() throws Exception {
    assertReadWriteExclusionUnderStress(KeyedReadWriteLock.create(), LONG, 5);
  }

  /** Catches {@link BrokenReadWriteLocks#writesShared()}: writers overlap. */
  @Test
  void readWriteStressCatchesSharedWrites() {
    assertCatches(
        "overlap on key",
        () ->
            assertReadWriteExclusionUnderStress(
                BrokenReadWriteLocks.writesShared(), Duration.ofSeconds(2), 1));
  }

  static void assertReadWriteExclusionUnderStress(
      KeyedReadWriteLock<Integer> lock, Duration wait, int scale) throws Exception {
    for (ThreadKind kind : ThreadKind.values()) {
      StressReport report =
          LockStressHarness.of(lock, i -> i)
              .threads(kind == ThreadKind.VIRTUAL ? 100 : 6)
              .threadKind(kind)
              .keys(2)
              .opsPerThread((kind == ThreadKind.VIRTUAL ? 20 : 200) * scale)
              .writeFraction(0.4)
              .holdYields(2)
              .waitTimeout(wait)
              .run();
      report.assertClean();
    }
  }

  // ------------------------------------------------ helpers

  private static void settle() throws InterruptedException {
    Thread.sleep(SETTLE_MILLIS);
  }

  private interface Call<T> {
    T call() throws Exception;
  }

  private static <T> T onOtherThread(Call<T> call) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread.ofPlatform()
        .start(
            () -> {
              try {
                f.complete(call.call());
              } catch (Throwable t) {
                f.completeExceptionally(t);
              }
            });
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}
