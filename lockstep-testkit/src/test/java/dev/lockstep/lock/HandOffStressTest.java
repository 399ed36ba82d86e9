package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Platform-thread stress of the fast path's hand-off chain (see {@link FastSlots}) on one hot key:
 * two and three threads taking and releasing it in a tight loop (so the key is handed along the
 * chain, and with three the chain freezes into the stripe table over and over), racing hand-offs
 * with timeouts of a few microseconds, interrupts from a separate thread, try-acquires and second
 * {@code close()} calls from another thread. Checks: no two holds overlap (an "inside" counter and
 * a plain counter that loses increments if they do), the key is free afterwards, nothing is
 * retained and the slot is free. Scale with {@code -Dlockstep.handoff.ops} (operations per thread).
 *
 * <p>Shown to fail against deliberately broken variants (then reverted): (1) {@code
 * FastSlots.handOff} returning when its grant CAS fails instead of releasing the cancelled waiter:
 * workers time out on a key held by nobody; (2) {@code FastSlots.release} skipping its claim (a
 * plain status write instead of the CAS HELD → RELEASED): the racing second close() hands the key
 * off a second time and holds overlap.
 */
class HandOffStressTest {
  private static final int OPS = Integer.getInteger("lockstep.handoff.ops", 40_000);

  /** Long enough for any legitimate wait here; a key held by nobody makes waits time out. */
  private static final Duration LONG = Duration.ofSeconds(20);

  @Test
  void twoThreads() throws Exception {
    run(2);
  }

  @Test
  void threeThreads() throws Exception {
    run(3);
  }

  private static void run(int threads) throws Exception {
    KeyedLock<Integer> lock = KeyedLock.create();
    LockEngine engine = ((ExclusiveKeyedLock<Integer>) lock).engine;
    assertTrue(engine.fast);
    Integer key = 1_000_500;
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger holds = new AtomicInteger();
    long[] plain = new long[1]; // only the lock orders these increments
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean done = new AtomicBoolean();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(
          new Thread(
              () -> {
                try {
                  awaitUninterruptibly(start);
                  ThreadLocalRandom r = ThreadLocalRandom.current();
                  for (int op = 0; op < OPS; op++) {
                    LockHandle h = acquireSomehow(lock, key, r.nextInt(8));
                    if (h == null) {
                      continue;
                    }
                    if (inside.incrementAndGet() != 1) {
                      overlaps.incrementAndGet();
                    }
                    plain[0]++;
                    holds.incrementAndGet();
                    inside.decrementAndGet();
                    if (r.nextInt(16) == 0) {
                      closeTwiceAtOnce(h);
                    } else {
                      h.close();
                    }
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              },
              "handoff-" + t));
    }
    Thread interrupter =
        new Thread(
            () -> {
              ThreadLocalRandom r = ThreadLocalRandom.current();
              while (!done.get()) {
                workers.get(r.nextInt(threads)).interrupt();
                Thread.onSpinWait();
                Thread.yield();
              }
            });
    workers.forEach(Thread::start);
    interrupter.start();
    start.countDown();
    for (Thread w : workers) {
      w.join(Duration.ofMinutes(3));
      assertTrue(!w.isAlive(), "a worker is still running (stuck on a key held by nobody?)");
    }
    done.set(true);
    interrupter.join();
    assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.peek());
    assertEquals(0, overlaps.get(), "holds overlapped");
    assertEquals(holds.get(), plain[0], "lost increments");
    LockHandle again = lock.tryAcquire(key).orElse(null);
    assertTrue(again != null, "key held by nobody");
    again.close();
    assertEquals(0, lock.activeKeys(), "keys retained");
    assertNull(engine.slots.get(LockEngine.spread(key.hashCode()) & FastSlots.MASK));
  }

  /** Blocking (mostly), with a timeout of a few microseconds, or a try; null if it gave up. */
  private static LockHandle acquireSomehow(KeyedLock<Integer> lock, Integer key, int how) {
    Thread.interrupted(); // an interrupt meant for an earlier wait
    try {
      return switch (how) {
        case 0 -> lock.tryAcquire(key).orElse(null);
        case 1, 2 ->
            lock.acquire(key, Duration.ofNanos(ThreadLocalRandom.current().nextInt(20_000)));
        default -> lock.acquire(key, LONG);
      };
    } catch (LockTimeoutException e) {
      if (e.timeout().compareTo(LONG) >= 0) {
        throw e; // a legitimate wait is far shorter: the key is held by nobody
      }
      return null;
    } catch (InterruptedException e) {
      return null;
    }
  }

  /** Closes from this thread and another one at the same time; exactly one must release. */
  private static void closeTwiceAtOnce(LockHandle h) {
    Thread other = new Thread(h::close);
    other.start();
    h.close();
    while (true) {
      try {
        other.join();
        break;
      } catch (InterruptedException e) {
        // the interrupter's, meant for a wait: keep joining
      }
    }
    if (h.isHeld()) {
      throw new AssertionError("handle still held after close(): " + h);
    }
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    while (true) {
      try {
        latch.await();
        return;
      } catch (InterruptedException e) {
        // the interrupter's, meant for a wait: keep waiting
      }
    }
  }
}
