package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.testkit.IntervalRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Many virtual threads hammer one {@link ReadWriteLock} with every way of acquiring (blocking, try,
 * asynchronous, short timeouts, write-then-downgrade, read and write scopes); each hold is
 * bracketed in an {@link IntervalRecorder} section. Checks: no writer overlaps anyone ({@code
 * assertReadWriteExclusion}), no write is lost (a plain counter bumped under the write lock equals
 * the writes done), no wait with the long timeout ever times out (a lost wake-up would), and the
 * lock ends idle. Scale with {@code -Dlockstep.rwlock.stress.ops=} (operations per thread, default
 * 150) and bound the long waits with {@code -Dlockstep.rwlock.stress.wait=} (ISO-8601, default
 * PT60S).
 *
 * <p>Shown to fail once each by editing {@code SingleReadWriteLock}: a writer fast path that joins
 * current readers ({@code (s & (WRITER | QUEUED)) == 0}, CAS to {@code s | WRITER}) gave "overlap
 * on key" in the few-threads case (200 threads keep the queue busy, so they seldom take that path);
 * a read release that never grants the queue (promote only after write releases) made long waits
 * time out (run with {@code -Dlockstep.rwlock.stress.wait=PT3S}); so did a read scope that left
 * without its add on the lock word (the many-threads case).
 */
class SingleReadWriteLockStressTest {
  private static final int OPS = Integer.getInteger("lockstep.rwlock.stress.ops", 150);
  private static final Duration WAIT =
      Duration.parse(System.getProperty("lockstep.rwlock.stress.wait", "PT60S"));
  private static final Duration SHORT = Duration.ofMillis(1);

  private final ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("stress"));
  private final IntervalRecorder intervals = new IntervalRecorder();
  private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
  private final AtomicLong writes = new AtomicLong();
  private long counter; // guarded by the write lock

  /** Few threads: the fast paths race each other and the first waiters. */
  @Test
  void fewVirtualThreadsKeepReadWriteExclusion() throws Exception {
    run(4, OPS * 20);
  }

  /** Many threads: the queue is long, grants and withdrawals race. */
  @Test
  void manyVirtualThreadsKeepReadWriteExclusion() throws Exception {
    run(200, OPS);
  }

  private void run(int threadCount, int ops) throws Exception {
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < threadCount; t++) {
      long seed = t;
      threads.add(
          Thread.ofVirtual().name("rw-" + t).start(() -> work(new SplittableRandom(seed), ops)));
    }
    for (Thread t : threads) {
      t.join(TimeUnit.MINUTES.toMillis(5));
      assertTrue(!t.isAlive(), "a worker is stuck: " + t);
    }
    if (!failures.isEmpty()) {
      AssertionError e = new AssertionError(failures.size() + " workers failed");
      failures.forEach(e::addSuppressed);
      throw e;
    }
    intervals.assertReadWriteExclusion();
    assertEquals(writes.get(), counter, "writes were lost: writers overlapped");
    assertTrue(intervals.intervals().size() > threadCount, "too few holds to mean anything");
    SingleReadWriteLockTest.awaitIdle(lock);
  }

  private void work(SplittableRandom random, int ops) {
    try {
      for (int i = 0; i < ops; i++) {
        int op = random.nextInt(12);
        switch (op) {
          case 0, 1, 2 -> read(lock.acquireRead(WAIT));
          case 3 -> write(lock.acquireWrite(WAIT));
          case 4 -> lock.tryAcquireRead().ifPresent(this::read);
          case 5 -> lock.tryAcquireWrite().ifPresent(this::write);
          case 6 -> read(lock.acquireReadAsync(WAIT).get());
          case 7 -> write(lock.acquireWriteAsync(WAIT).get());
          case 8 -> {
            LockHandle w = lock.acquireWrite(WAIT);
            write(w, false);
            read(w.downgrade());
          }
          case 9 -> shortWait(random.nextBoolean()).ifPresent(h -> hold(h, h.mode()));
          case 10 -> lock.read(WAIT, this::readScoped);
          default -> lock.write(WAIT, this::writeScoped);
        }
      }
    } catch (Throwable t) {
      failures.add(t);
    }
  }

  /** The body of a read scope: a read section with no handle to close. */
  private Void readScoped() {
    hold(null, LockMode.SHARED);
    return null;
  }

  /** The body of a write scope: a write section with no handle to close. */
  private Void writeScoped() {
    write(null, false);
    return null;
  }

  private Optional<LockHandle> shortWait(boolean read) throws InterruptedException {
    try {
      return Optional.of(read ? lock.acquireRead(SHORT) : lock.acquireWrite(SHORT));
    } catch (LockTimeoutException expected) {
      return Optional.empty();
    }
  }

  private void read(LockHandle h) {
    hold(h, LockMode.SHARED);
  }

  private void write(LockHandle h) {
    write(h, true);
  }

  private void write(LockHandle h, boolean close) {
    IntervalRecorder.Section s = intervals.enter(SingleReadWriteLock.RESOURCE, LockMode.EXCLUSIVE);
    try {
      long c = counter;
      Thread.yield();
      counter = c + 1;
      writes.incrementAndGet();
    } finally {
      s.close();
      if (close) {
        h.close();
      }
    }
  }

  private void hold(LockHandle h, LockMode mode) {
    if (mode == LockMode.EXCLUSIVE) {
      write(h);
      return;
    }
    IntervalRecorder.Section s = intervals.enter(SingleReadWriteLock.RESOURCE, mode);
    try {
      Thread.yield();
    } finally {
      s.close();
      if (h != null) {
        h.close();
      }
    }
  }
}
