package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * 100,000 virtual threads over 1,000 keys, each acquire → increment a plain int → release (issue 9,
 * section 4).
 */
class VirtualThreadScaleTest {
  private static final int THREADS = 100_000;
  private static final int KEYS = 1_000;

  @Test
  void hundredThousandVirtualThreadsOverAThousandKeys() throws Exception {
    KeyedLock<Integer> lock = KeyedLock.create(LockOptions.named("scale"));
    Result r = run(lock, THREADS, false);
    assertTrue(r.failures.isEmpty(), () -> r.failures.size() + " failures, first " + r.failures);
    assertEquals(0, r.unjoined, "virtual threads still alive after the run");
    for (int k = 0; k < KEYS; k++) {
      assertEquals(THREADS / KEYS, r.counts[k], "increments of key " + k);
    }
    assertEquals(0, lock.activeKeys(), "keys retained after every thread released");
  }

  /**
   * Catches {@link BrokenKeyedLocks#nonLocking()}: increments are lost. Here the critical section
   * sleeps a millisecond between read and write, so the other holders of the key that the broken
   * lock lets in read the same value. A mere {@code Thread.yield()} was not enough: on CI's two
   * cores the scheduler once ran every thread's section without interleaving and this check passed
   * a non-locking lock. For the same reason the broken lock is given up to 5 runs.
   */
  @Test
  void scaleCheckCatchesANonLockingLock() throws Exception {
    long total = 20_000;
    for (int run = 0; run < 5 && total == 20_000; run++) {
      Result r = run(BrokenKeyedLocks.nonLocking(), 20_000, true);
      total = 0;
      for (int c : r.counts) {
        total += c;
      }
    }
    assertNotEquals(20_000, total, "a lock that does not exclude lost no increment");
  }

  private record Result(int[] counts, List<Throwable> failures, int unjoined) {}

  private static Result run(KeyedLock<Integer> lock, int threads, boolean sleepInside)
      throws InterruptedException {
    int[] counts = new int[KEYS]; // plain ints: only the lock orders the increments
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> all = new ArrayList<>(threads);
    for (int i = 0; i < threads; i++) {
      int key = i % KEYS;
      all.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      start.await();
                      LockHandle h = lock.acquire(key, Duration.ofMinutes(2));
                      try {
                        int c = counts[key];
                        if (sleepInside) {
                          Thread.sleep(1); // unmounts: every other admitted holder reads c too
                        } else {
                          Thread.yield(); // invite another holder in, if the lock would let it
                        }
                        counts[key] = c + 1;
                      } finally {
                        h.close();
                      }
                    } catch (Throwable t) {
                      failures.add(t);
                    }
                  }));
    }
    start.countDown();
    int unjoined = 0;
    for (Thread t : all) {
      t.join(Duration.ofMinutes(2));
      if (t.isAlive()) {
        unjoined++;
      }
    }
    return new Result(counts, List.copyOf(failures), unjoined);
  }
}
