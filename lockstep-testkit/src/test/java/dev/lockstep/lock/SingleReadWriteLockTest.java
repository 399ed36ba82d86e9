package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The single-resource {@link ReadWriteLock} (its own engine, {@link SingleReadWriteLock}) keeps
 * every rule of {@link KeyedReadWriteLock}: the fairness, downgrade, upgrade and stress checks of
 * {@link ReadWriteFairnessTest} run on it unchanged (through {@link SingleAsKeyed}), and the rules
 * that test does not cover are checked here.
 */
class SingleReadWriteLockTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  private static <K> KeyedReadWriteLock<K> keyed(String name) {
    return new SingleAsKeyed<>(ReadWriteLock.create(LockOptions.named(name)));
  }

  // ------------------------------------------------ the keyed checks, on the single lock

  @Test
  void waitingWriterStopsNewlyArrivingReaders() throws Exception {
    ReadWriteFairnessTest.assertWaitingWriterStopsNewReaders(keyed("single"));
  }

  @Test
  void readersQueuedBehindAWriterEnterTogetherAfterIt() throws Exception {
    ReadWriteFairnessTest.assertQueuedReadersEnterTogether(keyed("single"));
  }

  @Test
  void downgradeIsAtomicAndLetsQueuedReadersIn() throws Exception {
    ReadWriteFairnessTest.assertDowngradeAtomic(keyed("single"));
  }

  @Test
  void upgradeIsRefusedWithLockUpgradeException() throws Exception {
    ReadWriteFairnessTest.assertUpgradeRefused(keyed("doc")); // the message names the lock 'doc'
  }

  @Test
  void readWriteExclusionUnderStress() throws Exception {
    ReadWriteFairnessTest.assertReadWriteExclusionUnderStress(keyed("single"), LONG, 5);
  }

  // ------------------------------------------------ self-deadlock

  @Test
  void writerAskingAgainIsASelfDeadlockAndTryIsEmpty() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("config"));
    try (LockHandle w = lock.acquireWrite(LONG)) {
      DeadlockException e =
          assertThrows(DeadlockException.class, () -> lock.acquireWrite(Duration.ofHours(1)));
      assertTrue(e.getMessage().contains("holds it already"), e.getMessage());
      assertThrows(DeadlockException.class, () -> lock.acquireRead(Duration.ofHours(1)));
      assertTrue(lock.tryAcquireWrite().isEmpty());
      assertTrue(lock.tryAcquireRead().isEmpty());
      assertTrue(w.isHeld(), "the refusal cost the write hold");
    }
    assertIdle(lock);
  }

  @Test
  void readingAgainWhileAWriterWaitsIsASelfDeadlock() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create();
    LockHandle r1 = lock.acquireRead(LONG);
    LockHandle r2 = lock.acquireRead(LONG); // no writer waits: a second read hold is fine
    CompletableFuture<LockHandle> writer = lock.acquireWriteAsync(LONG);
    assertFalse(writer.isDone());
    DeadlockException e = assertThrows(DeadlockException.class, () -> lock.acquireRead(LONG));
    assertTrue(e.getMessage().contains("while a writer is queued"), e.getMessage());
    assertTrue(lock.tryAcquireRead().isEmpty());
    r1.close();
    // Still reading through r2: still a self-deadlock, and still an upgrade.
    assertThrows(DeadlockException.class, () -> lock.acquireRead(LONG));
    assertThrows(LockUpgradeException.class, lock::tryAcquireWrite);
    r2.close();
    writer.get(5, TimeUnit.SECONDS).close();
    assertIdle(lock);
  }

  @Test
  void aReadHoldDowngradedByAnotherThreadStillCountsForItsOwner() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create();
    LockHandle w = lock.acquireWrite(LONG);
    LockHandle r = onOtherThread(w::downgrade);
    assertThrows(LockUpgradeException.class, () -> lock.acquireWrite(LONG));
    r.close();
    lock.acquireWrite(LONG).close();
    assertIdle(lock);
  }

  /**
   * A thread's read holds are counted per thread; holds closed by another thread count down too,
   * exactly once each (a double close from two threads must not make the owner look free while it
   * still reads, nor look busy once it no longer does).
   */
  @Test
  void readHoldsClosedByAnotherThreadStopCountingForTheirOwner() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create();
    LockHandle r1 = lock.acquireRead(LONG);
    LockHandle r2 = lock.acquireRead(LONG);
    LockHandle r3 = lock.acquireRead(LONG);
    onOtherThread(
        () -> {
          r1.close();
          r1.close(); // a second close is a no-op, not a second count
          return r1;
        });
    r1.close();
    assertThrows(LockUpgradeException.class, lock::tryAcquireWrite); // r2, r3 still open
    r2.close(); // by the owner
    assertThrows(LockUpgradeException.class, lock::tryAcquireWrite); // r3 still open
    CompletableFuture<LockHandle> writer = lock.acquireWriteAsync(LONG);
    assertFalse(writer.isDone());
    assertThrows(DeadlockException.class, () -> lock.acquireRead(LONG)); // r3: reads already
    onOtherThread(
        () -> {
          r3.close();
          return r3;
        });
    writer.get(5, TimeUnit.SECONDS).close();
    LockHandle r4 = lock.acquireRead(LONG); // counts from zero again
    r4.close();
    // Another thread reads: the write is busy, and not an upgrade (this thread reads nothing).
    LockHandle other = onOtherThread(() -> lock.acquireRead(LONG));
    assertTrue(lock.tryAcquireWrite().isEmpty());
    other.close();
    lock.tryAcquireWrite().orElseThrow().close();
    assertIdle(lock);
  }

  // ------------------------------------------------ timeouts

  @Test
  void zeroTimeoutDoesNotWaitAndNegativeIsRefused() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("config"));
    assertThrows(IllegalArgumentException.class, () -> lock.acquireRead(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> lock.acquireWrite(Duration.ofNanos(-1)));
    CompletionException negative =
        assertThrows(
            CompletionException.class, () -> lock.acquireReadAsync(Duration.ofSeconds(-1)).join());
    assertInstanceOf(IllegalArgumentException.class, negative.getCause());
    lock.acquireWrite(Duration.ZERO).close(); // free: zero is enough
    LockHandle r = lock.acquireRead(Duration.ZERO);
    LockTimeoutException e =
        onOtherThreadThrows(LockTimeoutException.class, () -> lock.acquireWrite(Duration.ZERO));
    assertTrue(
        e.getMessage().contains("'config'") && e.getMessage().contains("1 reader"), e.getMessage());
    CompletableFuture<LockHandle> f = lock.acquireWriteAsync(Duration.ZERO);
    ExecutionException x = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
    assertInstanceOf(LockTimeoutException.class, x.getCause());
    r.close();
    assertIdle(lock);
  }

  @Test
  void timedOutWaitersLeaveNoTrace() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create();
    LockHandle w = lock.acquireWrite(LONG);
    CompletableFuture<LockHandle> reader = lock.acquireReadAsync(Duration.ofMillis(50));
    onOtherThreadThrows(LockTimeoutException.class, () -> lock.acquireRead(Duration.ofMillis(50)));
    ExecutionException x =
        assertThrows(ExecutionException.class, () -> reader.get(5, TimeUnit.SECONDS));
    assertInstanceOf(LockTimeoutException.class, x.getCause());
    w.close();
    assertIdle(lock);
  }

  // ------------------------------------------------ interruption, cancellation, close

  @Test
  void interruptedWaiterWithdrawsAndTheNextOneIsGranted() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create();
    LockHandle w = lock.acquireWrite(LONG);
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread waiter =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    lock.acquireWrite(LONG).close();
                    outcome.complete(null);
                  } catch (Throwable t) {
                    outcome.complete(t);
                  }
                });
    while (waiter.getState() != Thread.State.WAITING
        && waiter.getState() != Thread.State.TIMED_WAITING) {
      Thread.onSpinWait();
    }
    CompletableFuture<LockHandle> next = lock.acquireReadAsync(LONG);
    waiter.interrupt();
    assertInstanceOf(InterruptedException.class, outcome.get(5, TimeUnit.SECONDS));
    w.close();
    next.get(5, TimeUnit.SECONDS).close();
    assertIdle(lock);
  }

  /**
   * Cancels queued requests while a close grants them. Shown to fail once with the completer's
   * release of a grant that lost to a cancel removed (RwWaiter.complete): "the lock is not idle".
   */
  @Test
  void cancelledAsyncWaitsNeverLeakAHold() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create();
    for (int i = 0; i < 2_000; i++) {
      LockHandle w = lock.acquireWrite(LONG);
      CompletableFuture<LockHandle> r = lock.acquireReadAsync(LONG);
      CompletableFuture<LockHandle> x = lock.acquireWriteAsync(LONG);
      Thread closer = Thread.ofVirtual().start(w::close);
      r.cancel(false); // races with the grant the close makes
      x.cancel(false);
      closer.join();
      if (!r.isCancelled()) {
        r.join().close();
      }
      if (!x.isCancelled()) {
        x.join().close();
      }
      // A grant that lost to the cancel is released by the completer, maybe on a thread of its own.
      awaitIdle(lock);
    }
  }

  /**
   * Eight threads close one read handle at once. Shown to fail once with RwNode.leave() made a
   * plain store that always succeeds: the extra releases corrupted the count, and the final write
   * acquisition timed out.
   */
  @Test
  void closeReleasesExactlyOnceFromAnyThread() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create();
    LockHandle r1 = lock.acquireRead(LONG);
    LockHandle r2 = lock.acquireRead(LONG);
    List<Thread> closers = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 8; i++) {
      closers.add(Thread.ofVirtual().start(r1::close));
    }
    for (Thread t : closers) {
      t.join();
    }
    assertFalse(r1.isHeld());
    assertTrue(r2.isHeld());
    // r2 alone keeps writers out: r1's many closes released one hold, not two.
    assertTrue(onOtherThread(lock::tryAcquireWrite).isEmpty(), "a double release let a writer in");
    r2.close();
    r2.close();
    lock.acquireWrite(LONG).close();
    assertIdle(lock);
  }

  // ------------------------------------------------ statistics

  @Test
  void recorderSeesEveryAcquireAndRelease() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    LockRecorder rec =
        new LockRecorder() {
          @Override
          public void acquired(String l, Object k, LockMode m, long w, boolean contended) {
            events.add("acquired " + m + (contended ? " contended" : ""));
          }

          @Override
          public void released(String l, Object k, long h) {
            events.add("released");
          }

          @Override
          public void timedOut(String l, Object k, long w) {
            events.add("timedOut");
          }

          @Override
          public void error(String l, Object k, LockException e) {
            events.add("error " + e.getClass().getSimpleName());
          }
        };
    ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("stats").withRecorder(rec));
    LockHandle w = lock.acquireWrite(LONG);
    CompletableFuture<LockHandle> r = lock.acquireReadAsync(LONG);
    LockHandle d = w.downgrade();
    r.get(5, TimeUnit.SECONDS).close();
    assertThrows(LockUpgradeException.class, () -> lock.acquireWrite(LONG));
    d.close();
    LockHandle w2 = lock.acquireWrite(LONG);
    onOtherThreadThrows(LockTimeoutException.class, () -> lock.acquireRead(Duration.ofMillis(10)));
    w2.close();
    assertEquals(
        List.of(
            "acquired EXCLUSIVE",
            "released",
            "acquired SHARED",
            "acquired SHARED contended",
            "released",
            "error LockUpgradeException",
            "released",
            "acquired EXCLUSIVE",
            "timedOut",
            "released"),
        events);
  }

  // ------------------------------------------------ helpers

  static void assertIdle(ReadWriteLock lock) {
    assertTrue(((SingleReadWriteLock) lock).idle(), "the lock is not idle: " + lock);
  }

  /** Waits for the lock to become idle; fails if it is still busy after a generous while. */
  static void awaitIdle(ReadWriteLock lock) throws InterruptedException {
    for (int i = 0; i < 10_000 && !((SingleReadWriteLock) lock).idle(); i++) {
      Thread.sleep(1);
    }
    assertIdle(lock);
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

  private static <X extends Exception> X onOtherThreadThrows(Class<X> type, Call<?> call)
      throws Exception {
    try {
      Object got = onOtherThread(call);
      if (got instanceof LockHandle h) {
        h.close();
      }
    } catch (Exception e) {
      return assertInstanceOf(type, e);
    }
    throw new AssertionError("expected " + type.getSimpleName() + ", but the call succeeded");
  }
}
