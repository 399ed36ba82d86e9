package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The visible-reader path of {@link SingleReadWriteLock}: a read hold in a reader slot ({@link
 * RwSlotRead}), released by the slot's compare-and-set. Each test names the broken variant it was
 * seen failing on.
 */
class SingleReadWriteLockSlotTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  private static RwSlotRead slotRead(ReadWriteLock lock) throws InterruptedException {
    return assertInstanceOf(RwSlotRead.class, lock.acquireRead(LONG), "not on the slot path");
  }

  /**
   * Many threads close one slot read at once, again and again, while the owner holds a second read:
   * exactly one close counts. Seen failing with the slot's CAS replaced by a check and a store (two
   * closes both counted the hold down: the owner's write was no longer refused as an upgrade, and a
   * writer entered beside the second read).
   */
  @Test
  void concurrentClosesOfASlotReadReleaseItOnce() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create();
    int closers = 4;
    CyclicBarrier start = new CyclicBarrier(closers + 1);
    AtomicReference<LockHandle> shared = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    AtomicInteger rounds = new AtomicInteger();
    int total = 2_000;
    for (int t = 0; t < closers; t++) {
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      for (int i = 0; i < total; i++) {
                        start.await();
                        shared.get().close();
                        assertFalse(shared.get().isHeld(), "held after a close returned");
                        start.await();
                      }
                    } catch (Exception e) {
                      throw new AssertionError(e);
                    }
                  }));
    }
    // A read counted in the word, open throughout (a write downgraded: not on the slot path), so
    // that a writer's attempt below shuts the slots only until its check finds them empty.
    LockHandle second = lock.acquireWrite(LONG).downgrade();
    assertFalse(second instanceof RwSlotRead);
    for (int i = 0; i < total; i++) {
      shared.set(slotRead(lock));
      start.await(); // the closers race
      start.await(); // all returned
      assertThrows(LockUpgradeException.class, lock::tryAcquireWrite, "round " + i);
      Optional<LockHandle> other = onOtherThread(lock::tryAcquireWrite);
      other.ifPresent(LockHandle::close);
      assertTrue(other.isEmpty(), "a writer entered beside a read, round " + i);
      rounds.incrementAndGet();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(total, rounds.get());
    second.close();
    lock.acquireWrite(LONG).close();
    SingleReadWriteLockTest.assertIdle(lock);
  }

  /**
   * A stale handle closed after its slot was taken again (by a later hold of the same thread) is a
   * no-op: the later hold keeps writers out. Seen failing with a close that stores {@code stamp +
   * 1} without comparing.
   */
  @Test
  void aStaleCloseNeverReleasesTheSlotsNextHold() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create();
    RwSlotRead first = slotRead(lock);
    first.close();
    RwSlotRead next = slotRead(lock);
    assertEquals(first.slot, next.slot);
    onOtherThread(
        () -> {
          first.close();
          return null;
        });
    assertTrue(next.isHeld());
    assertTrue(onOtherThread(lock::tryAcquireWrite).isEmpty(), "a stale close freed the next hold");
    next.close();
    lock.acquireWrite(LONG).close();
    SingleReadWriteLockTest.assertIdle(lock);
  }

  /**
   * Readers on the slot path and a writer, checked by an interval checker: a writer never holds
   * while a read does. Five readers on two cores are preempted anywhere, also between their look at
   * the word and their slot's CAS; the writer holds for a few microseconds, so a reader resuming
   * there finds it inside. Seen failing with the reader's second look at the word (after its slot
   * CAS) dropped: such a reader held beside the writer.
   */
  @Test
  void aWriterNeverEntersWhileASlotReaderHolds() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create();
    AtomicInteger readersIn = new AtomicInteger();
    AtomicInteger writersIn = new AtomicInteger();
    AtomicInteger violations = new AtomicInteger();
    AtomicInteger slotReads = new AtomicInteger();
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_000);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      boolean writes = t == 0;
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      while (System.nanoTime() < end) {
                        if (writes) {
                          try (LockHandle w = lock.acquireWrite(LONG)) {
                            writersIn.incrementAndGet();
                            if (readersIn.get() != 0) {
                              violations.incrementAndGet();
                            }
                            spin(3_000);
                            writersIn.decrementAndGet();
                          }
                          spin(3_000); // readers turn the slots back on
                        } else {
                          LockHandle r = lock.acquireRead(LONG);
                          if (r instanceof RwSlotRead) {
                            slotReads.incrementAndGet();
                          }
                          readersIn.incrementAndGet();
                          if (writersIn.get() != 0) {
                            violations.incrementAndGet();
                          }
                          readersIn.decrementAndGet();
                          r.close();
                        }
                      }
                    } catch (InterruptedException e) {
                      throw new AssertionError(e);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(0, violations.get(), "a writer and a reader held at once");
    assertTrue(slotReads.get() > 0, "no read took the slot path");
    SingleReadWriteLockTest.assertIdle(lock);
  }

  private static void spin(long nanos) {
    long until = System.nanoTime() + nanos;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }

  /**
   * A blocking writer that meets a slot read shuts the slots and waits; readers arriving then wait
   * behind it (on the slot path too) and enter together after it. Seen failing with a slot path
   * that turns the slots back on while a writer waits (only WRITER checked).
   */
  @Test
  void aWriterWaitingForSlotReadersStopsNewReaders() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create();
    RwSlotRead r1 = slotRead(lock);
    CompletableFuture<LockHandle> writer = onNewThread(() -> lock.acquireWrite(LONG));
    awaitQueued(lock);
    assertFalse(writer.isDone(), "the writer entered while a slot reader held");
    Optional<LockHandle> barging = onOtherThread(lock::tryAcquireRead);
    barging.ifPresent(LockHandle::close);
    assertTrue(barging.isEmpty(), "a new reader passed a waiting writer");
    List<CompletableFuture<LockHandle>> later = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      later.add(onNewThread(() -> lock.acquireRead(LONG)));
    }
    Thread.sleep(50);
    for (CompletableFuture<LockHandle> f : later) {
      assertFalse(f.isDone(), "a new reader passed a waiting writer");
    }
    r1.close();
    LockHandle w = writer.get(5, TimeUnit.SECONDS);
    Thread.sleep(20);
    for (CompletableFuture<LockHandle> f : later) {
      assertFalse(f.isDone(), "a reader entered while the writer held");
    }
    w.close();
    List<LockHandle> in = new ArrayList<>();
    for (CompletableFuture<LockHandle> f : later) {
      in.add(f.get(5, TimeUnit.SECONDS)); // all three hold at once
    }
    for (LockHandle h : in) {
      assertTrue(h.isHeld());
      h.close();
    }
    SingleReadWriteLockTest.awaitIdle(lock);
  }

  /**
   * Writers waiting for a slot read give up (timeout, interrupt, async timeout); the read's close
   * then leaves the lock idle, and the next writer enters. Seen failing with a close that does not
   * look at the word for DRAIN (the drain never ended: the next writer timed out).
   */
  @Test
  void writersGivingUpOnSlotReadersLeaveNoTrace() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create();
    RwSlotRead r = slotRead(lock);
    ExecutionException timedOut =
        assertThrows(
            ExecutionException.class,
            () ->
                onNewThread(() -> lock.acquireWrite(Duration.ofMillis(30)))
                    .get(5, TimeUnit.SECONDS),
            "the writer entered beside a slot read");
    LockTimeoutException t = assertInstanceOf(LockTimeoutException.class, timedOut.getCause());
    assertTrue(t.getMessage().contains("1 reader"), t.getMessage());
    CompletableFuture<LockHandle> async = lock.acquireWriteAsync(Duration.ofMillis(30));
    ExecutionException x =
        assertThrows(ExecutionException.class, () -> async.get(5, TimeUnit.SECONDS));
    assertInstanceOf(LockTimeoutException.class, x.getCause());
    AtomicReference<Thread> waiter = new AtomicReference<>();
    CompletableFuture<LockHandle> interrupted =
        onNewThread(
            () -> {
              waiter.set(Thread.currentThread());
              return lock.acquireWrite(LONG);
            });
    awaitQueued(lock);
    waiter.get().interrupt();
    ExecutionException ix =
        assertThrows(ExecutionException.class, () -> interrupted.get(5, TimeUnit.SECONDS));
    assertInstanceOf(InterruptedException.class, ix.getCause());
    assertTrue(onOtherThread(lock::tryAcquireWrite).isEmpty());
    r.close();
    SingleReadWriteLockTest.awaitIdle(lock);
    onOtherThread(() -> lock.acquireWrite(Duration.ofSeconds(5))).close();
    assertInstanceOf(RwSlotRead.class, lock.acquireRead(LONG)).close(); // the slots come back
    SingleReadWriteLockTest.assertIdle(lock);
  }

  /**
   * A thread reading through a slot is refused a write (an upgrade), and asking to read again while
   * a writer waits for its slot read is a self-deadlock, not a hang. Seen failing with the upgrade
   * check left behind the word's reader count (a slot read is not counted there: the write queued
   * behind its own read and timed out).
   */
  @Test
  void slotReadsFollowTheUpgradeAndSelfDeadlockRules() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create();
    RwSlotRead r = slotRead(lock);
    assertThrows(LockUpgradeException.class, () -> lock.acquireWrite(Duration.ofSeconds(2)));
    CompletableFuture<LockHandle> writer = lock.acquireWriteAsync(LONG);
    assertFalse(writer.isDone());
    assertThrows(DeadlockException.class, () -> lock.acquireRead(Duration.ofSeconds(2)));
    r.close();
    writer.get(5, TimeUnit.SECONDS).close();
    SingleReadWriteLockTest.assertIdle(lock);
  }

  // ------------------------------------------------ helpers

  private static <T> CompletableFuture<T> onNewThread(SingleReadWriteLockTest.Call<T> call) {
    return SingleReadWriteLockTest.startOn(Thread.ofPlatform(), call).result();
  }

  private static <T> T onOtherThread(SingleReadWriteLockTest.Call<T> call) throws Exception {
    return SingleReadWriteLockTest.onOtherThread(call);
  }

  /** Waits until a waiter is queued on the lock (its word shows QUEUED). */
  private static void awaitQueued(ReadWriteLock lock) throws InterruptedException {
    SingleReadWriteLock l = (SingleReadWriteLock) lock;
    for (int i = 0; i < 5_000 && !l.queued(); i++) {
      Thread.sleep(1);
    }
    assertTrue(l.queued(), "nobody queued");
  }
}
