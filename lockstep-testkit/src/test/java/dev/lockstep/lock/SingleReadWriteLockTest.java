package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
    Waiting<LockHandle> waiter = startWaiting(() -> lock.acquireWrite(LONG));
    CompletableFuture<LockHandle> next = lock.acquireReadAsync(LONG);
    waiter.thread().interrupt();
    assertInstanceOf(InterruptedException.class, waiter.failure());
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
    lock.read(LONG, () -> events.add("read scope")); // a scope takes the handle path: recorded
    lock.write(LONG, () -> events.add("write scope"));
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
            "released",
            "acquired SHARED",
            "read scope",
            "released",
            "acquired EXCLUSIVE",
            "write scope",
            "released"),
        events);
  }

  // ------------------------------------------------ scoped holds (read, write)

  @Test
  void scopedReadRunsTheBodyUnderTheReadLockAndReleasesIt() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create();
    String got =
        lock.read(
            Duration.ZERO, // a free lock is taken even with a zero timeout
            () -> {
              assertTrue(onOtherThread(lock::tryAcquireWrite).isEmpty(), "a writer got in");
              LockHandle other = onOtherThread(() -> lock.acquireRead(Duration.ZERO));
              other.close(); // readers share
              return "read";
            });
    assertEquals("read", got);
    assertIdle(lock);
    assertEquals(1, lock.write(LONG, () -> lock.tryAcquireRead().isPresent() ? 0 : 1));
    assertIdle(lock);
  }

  /**
   * A scoped read never barges past a queued writer, and waits behind it in FIFO order. Shown to
   * fail once with the scoped fast path's admission relaxed to {@code (s & WRITER) == 0}: "a scoped
   * read barged past a queued writer".
   */
  @Test
  void scopedReadQueuesBehindAWaitingWriter() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("config"));
    List<String> order = new CopyOnWriteArrayList<>();
    LockHandle r1 = lock.acquireRead(LONG);
    CompletableFuture<LockHandle> writer = lock.acquireWriteAsync(LONG);
    assertFalse(writer.isDone());
    Object barged =
        onOtherThread(
            () -> {
              try {
                return lock.read(Duration.ZERO, () -> "entered");
              } catch (LockTimeoutException expected) {
                return expected;
              }
            });
    assertInstanceOf(
        LockTimeoutException.class, barged, "a scoped read barged past a queued writer");
    Waiting<String> reader =
        startWaiting(() -> lock.read(LONG, () -> order.add("reader") ? "read" : ""));
    assertTrue(order.isEmpty(), "a scoped read barged past a queued writer");
    r1.close();
    LockHandle w = writer.get(5, TimeUnit.SECONDS);
    order.add("writer");
    Thread.sleep(50);
    assertEquals(List.of("writer"), order, "a scoped read entered while the writer held the lock");
    w.close();
    assertEquals("read", reader.result().get(5, TimeUnit.SECONDS));
    assertEquals(List.of("writer", "reader"), order);
    assertIdle(lock);
  }

  /**
   * A platform-thread reader that meets a writer spins before it queues (see {@code
   * SingleReadWriteLock.spinToRead}): it must wait for a holding writer, and must never pass a
   * writer that waits behind readers, through handles or scopes. Seen failing on a variant whose
   * spin admitted a reader whenever no writer held (ignoring QUEUED).
   */
  @Test
  void aSpinningReaderWaitsForAHoldingWriterAndNeverPassesAWaitingOne() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("spin"));
    LockHandle w = lock.acquireWrite(LONG);
    Waiting<LockHandle> reader = startOn(Thread.ofPlatform(), () -> lock.acquireRead(LONG));
    Thread.sleep(50);
    assertFalse(reader.result().isDone(), "a reader entered while a writer held the lock");
    w.close();
    reader.result().get(5, TimeUnit.SECONDS).close();

    LockHandle r1 = lock.acquireRead(LONG);
    CompletableFuture<LockHandle> writer = lock.acquireWriteAsync(LONG);
    assertFalse(writer.isDone());
    Duration wait = Duration.ofMillis(200); // well beyond the spin: the reader spins, then queues
    onOtherThreadThrows(LockTimeoutException.class, () -> lock.acquireRead(wait));
    onOtherThreadThrows(LockTimeoutException.class, () -> lock.read(wait, () -> "entered"));
    r1.close();
    writer.get(5, TimeUnit.SECONDS).close();
    assertIdle(lock);
  }

  /**
   * Blocking waiters are unparked only if they have parked ({@code RwWaiter.parked}); a grant that
   * lands between a waiter's last look at its status and its park must still wake it. Virtual
   * threads park at once (they never spin), platform ones spin first: a lost wake-up leaves a
   * granted waiter parked until its 30 s timeout and stalls the whole mix. Seen failing on a
   * variant whose waiter parked right after setting the flag, without looking at its status again.
   */
  @Test
  void noGrantIsLostBetweenAWaitersLastLookAndItsPark() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("wake"));
    long[] value = new long[1];
    List<Waiting<Long>> workers = new java.util.ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread.Builder builder = t % 2 == 0 ? Thread.ofVirtual() : Thread.ofPlatform();
      int seed = t;
      workers.add(
          startOn(
              builder,
              () -> {
                long sum = 0;
                for (int i = 0; i < 20_000; i++) {
                  if ((i + seed) % 10 == 0) {
                    lock.write(LONG, () -> ++value[0]);
                  } else {
                    LockHandle h = lock.acquireRead(LONG);
                    try {
                      sum += value[0];
                    } finally {
                      h.close();
                    }
                  }
                }
                return sum;
              }));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (Waiting<Long> wk : workers) {
      long left = Math.max(1, deadline - System.nanoTime());
      wk.result().get(left, TimeUnit.NANOSECONDS); // a lost wake-up: TimeoutException
    }
    assertEquals(8 * 2_000, lock.write(LONG, () -> value[0]));
    assertIdle(lock);
  }

  @Test
  void scopesFollowTheSelfDeadlockAndUpgradeRules() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("config"));
    // Inside a read scope the thread is a reader: no upgrade, by any path.
    lock.read(
        LONG,
        () -> {
          assertThrows(LockUpgradeException.class, () -> lock.acquireWrite(LONG));
          assertThrows(LockUpgradeException.class, () -> lock.write(LONG, () -> "never"));
          assertThrows(LockUpgradeException.class, lock::tryAcquireWrite);
          // Reading again is fine while no writer waits, and fails at once while one does.
          assertEquals("again", lock.read(LONG, () -> "again"));
          CompletableFuture<LockHandle> writer = lock.acquireWriteAsync(LONG);
          assertThrows(DeadlockException.class, () -> lock.read(LONG, () -> "never"));
          assertThrows(DeadlockException.class, () -> lock.acquireRead(LONG));
          writer.cancel(false);
          return null;
        });
    assertIdle(lock);
    lock.acquireWrite(Duration.ZERO).close(); // the scope no longer counts as a read hold
    // Inside a write scope (or a write hold) both scopes are a self-deadlock.
    lock.write(
        LONG,
        () -> {
          assertThrows(DeadlockException.class, () -> lock.read(LONG, () -> "never"));
          assertThrows(DeadlockException.class, () -> lock.write(LONG, () -> "never"));
          return null;
        });
    try (LockHandle w = lock.acquireWrite(LONG)) {
      assertThrows(DeadlockException.class, () -> lock.read(LONG, () -> "never"));
      assertTrue(w.isHeld());
    }
    assertIdle(lock);
  }

  @Test
  void whateverTheBodyThrowsIsRethrownAfterTheRelease() throws Exception {
    IOException io = new IOException("disk");
    Error error = new Error("boom");
    IllegalStateException runtime = new IllegalStateException("bad");
    // The fast path (no handle), and the handle path a recorder sends every scope through.
    for (ReadWriteLock lock :
        List.of(
            ReadWriteLock.create(),
            ReadWriteLock.create(LockOptions.named("rec").withRecorder(new LockRecorder() {})))) {
      assertSame(io, assertThrows(IOException.class, () -> lock.read(LONG, () -> throwIt(io))));
      assertSame(error, assertThrows(Error.class, () -> lock.read(LONG, () -> throwIt(error))));
      assertSame(
          runtime,
          assertThrows(IllegalStateException.class, () -> lock.read(LONG, () -> throwIt(runtime))));
      assertSame(io, assertThrows(IOException.class, () -> lock.write(LONG, () -> throwIt(io))));
      assertSame(error, assertThrows(Error.class, () -> lock.write(LONG, () -> throwIt(error))));
      assertIdle(lock);
      lock.acquireWrite(Duration.ZERO).close(); // the thread is not counted as a reader any more
    }
    // A scoped read that waited in the queue (granted by a writer's release) releases too.
    ReadWriteLock lock = ReadWriteLock.create();
    LockHandle w = lock.acquireWrite(LONG);
    Waiting<String> queued = startWaiting(() -> lock.read(LONG, () -> throwIt(error)));
    w.close();
    assertSame(error, queued.failure());
    assertIdle(lock);
  }

  private static <T extends Throwable> String throwIt(T t) throws T {
    throw t;
  }

  @Test
  void scopedReadWaitingForAWriterIsInterruptibleAndTimesOut() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("config"));
    List<String> ran = new CopyOnWriteArrayList<>();
    LockHandle w = lock.acquireWrite(LONG);
    Waiting<Boolean> waiter = startWaiting(() -> lock.read(LONG, () -> ran.add("body")));
    waiter.thread().interrupt();
    assertInstanceOf(InterruptedException.class, waiter.failure());
    LockTimeoutException e =
        onOtherThreadThrows(
            LockTimeoutException.class, () -> lock.read(Duration.ofMillis(20), () -> ran.add("x")));
    assertTrue(e.getMessage().contains("'config'"), e.getMessage());
    w.close();
    assertEquals(List.of(), ran, "a body ran without the hold");
    // Interrupted before asking: refused even though the lock is free, as acquireRead.
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, () -> lock.read(LONG, () -> ran.add("y")));
    assertFalse(Thread.currentThread().isInterrupted());
    assertThrows(IllegalArgumentException.class, () -> lock.read(Duration.ofNanos(-1), () -> 1));
    assertThrows(NullPointerException.class, () -> lock.read(LONG, null));
    assertEquals(List.of(), ran);
    assertIdle(lock);
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

  interface Call<T> {
    T call() throws Exception;
  }

  /** A call running on a thread of its own, and what it returns or throws. */
  record Waiting<T>(Thread thread, CompletableFuture<T> result) {
    /** What the call threw (it must throw, within a few seconds). */
    Throwable failure() throws Exception {
      try {
        T got = result.get(5, TimeUnit.SECONDS);
        throw new AssertionError("expected the call to throw, but it returned " + got);
      } catch (ExecutionException e) {
        return e.getCause();
      }
    }
  }

  /** Starts {@code call} on a new thread of {@code builder}'s kind. */
  static <T> Waiting<T> startOn(Thread.Builder builder, Call<T> call) {
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread t =
        builder.start(
            () -> {
              try {
                f.complete(call.call());
              } catch (Throwable e) {
                f.completeExceptionally(e);
              }
            });
    return new Waiting<>(t, f);
  }

  /** Starts {@code call} on a virtual thread and returns once that thread waits (parks). */
  private static <T> Waiting<T> startWaiting(Call<T> call) {
    Waiting<T> w = startOn(Thread.ofVirtual(), call);
    Thread t = w.thread();
    while (!w.result().isDone()
        && t.getState() != Thread.State.WAITING
        && t.getState() != Thread.State.TIMED_WAITING) {
      Thread.onSpinWait();
    }
    return w;
  }

  static <T> T onOtherThread(Call<T> call) throws Exception {
    CompletableFuture<T> f = startOn(Thread.ofPlatform(), call).result();
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
