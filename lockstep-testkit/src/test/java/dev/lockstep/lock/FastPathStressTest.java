package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Virtual-thread interval stress on the fast path of {@link LockEngine} and its inflation races:
 * thousands of virtual threads over a few keys that share one slot (and a few that do not), mixing
 * blocking acquires with and without short timeouts, try-acquires, asynchronous acquires cancelled
 * at once or timing out, interrupted waits, and holds closed from another thread, twice, at the
 * same time. Checks: no two holds of one key overlap (a per-key "inside" counter, and a plain
 * counter incremented across a yield that loses updates if they do), every key is free afterwards,
 * no key is retained and every slot is free. Scale with {@code -Dlockstep.fastpath.rounds} (default
 * 20 operations per virtual thread).
 *
 * <p>Shown to fail once against deliberately broken engines (then reverted): (1) {@code
 * FastSlots.inflate} CASing a fast hold out of its slot without moving it into the stripe table:
 * the contender takes the key while it is held, and the stripped hold's close() does nothing
 * ("handle still held after close()"); (2) {@code LockEngine.release} giving up when its fast CAS
 * fails instead of releasing under the stripe lock: keys stay held by nobody (1,995 failures:
 * timeouts, and self-deadlocks of threads still recorded as holders); (3) {@code FastSlots.removed}
 * not freeing the slot when its last entry goes: "slot ... still inflated".
 */
class FastPathStressTest {
  private static final int THREADS = 2_000;

  /** Long enough for any legitimate wait here; a key held by nobody makes waits time out. */
  private static final Duration LONG = Duration.ofSeconds(30);

  private static final int ROUNDS = Integer.getInteger("lockstep.fastpath.rounds", 40);

  /** Four keys in one slot, then two keys in slots of their own. */
  static Integer[] keys() {
    List<Integer> same = new ArrayList<>();
    int slot = FastPathLincheckTest.slotOf(7);
    for (int k = 7; same.size() < 4; k++) {
      if (FastPathLincheckTest.slotOf(k) == slot) {
        same.add(k);
      }
    }
    List<Integer> all = new ArrayList<>(same);
    for (int k = 1_000_000; all.size() < 6; k++) {
      if (FastPathLincheckTest.slotOf(k) != slot) {
        all.add(k);
      }
    }
    return all.toArray(Integer[]::new);
  }

  @Test
  void holdsNeverOverlapAndNothingIsLeftBehind() throws Exception {
    KeyedLock<Integer> lock = KeyedLock.create();
    assertTrue(((ExclusiveKeyedLock<Integer>) lock).engine.fast);
    Integer[] keys = keys();
    int n = keys.length;
    AtomicInteger[] inside = new AtomicInteger[n];
    AtomicLong[] holds = new AtomicLong[n];
    long[] plain = new long[n]; // only the lock orders these increments
    for (int i = 0; i < n; i++) {
      inside[i] = new AtomicInteger();
      holds[i] = new AtomicLong();
    }
    AtomicInteger overlaps = new AtomicInteger();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>(THREADS);

    for (int t = 0; t < THREADS; t++) {
      workers.add(
          Thread.ofVirtual()
              .unstarted(
                  () -> {
                    try {
                      start.await();
                      ThreadLocalRandom r = ThreadLocalRandom.current();
                      for (int round = 0; round < ROUNDS; round++) {
                        int i = r.nextInt(n);
                        LockHandle h = acquireSomehow(lock, keys[i], r.nextInt(6));
                        if (h == null) {
                          continue;
                        }
                        if (inside[i].incrementAndGet() != 1) {
                          overlaps.incrementAndGet();
                        }
                        long c = plain[i];
                        Thread.yield(); // let another holder in, if the lock would
                        plain[i] = c + 1;
                        holds[i].incrementAndGet();
                        inside[i].decrementAndGet();
                        releaseSomehow(h, r.nextInt(4));
                      }
                    } catch (Throwable e) {
                      failures.add(e);
                    }
                  }));
    }
    workers.forEach(Thread::start);
    start.countDown();
    for (Thread w : workers) {
      w.join(Duration.ofMinutes(2));
      assertTrue(!w.isAlive(), "a worker is still running (stuck on a key held by nobody?)");
    }
    assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.peek());
    assertEquals(0, overlaps.get(), "holds of one key overlapped");
    for (int i = 0; i < n; i++) {
      assertEquals(holds[i].get(), plain[i], "lost increments on key " + keys[i]);
      Optional<LockHandle> h = lock.tryAcquire(keys[i]);
      assertTrue(h.isPresent(), "key " + keys[i] + " still held after every holder released");
      h.get().close();
    }
    assertEquals(0, lock.activeKeys(), "keys retained");
    FastSlots slots = ((ExclusiveKeyedLock<Integer>) lock).engine.slots;
    for (int s = 0; s < FastSlots.SLOTS; s++) {
      assertEquals(null, slots.get(s), "slot " + s + " still " + slots.get(s));
    }
  }

  /** One of six ways to ask for the key; null when the attempt gave up (all legitimately). */
  private static LockHandle acquireSomehow(KeyedLock<Integer> lock, Integer key, int how)
      throws InterruptedException {
    switch (how) {
      case 0:
        return lock.acquire(key, LONG);
      case 1:
        return lock.tryAcquire(key).orElse(null);
      case 2:
        try {
          return lock.acquire(key, Duration.ofNanos(ThreadLocalRandom.current().nextInt(200_000)));
        } catch (LockTimeoutException e) {
          return null;
        }
      case 3:
        {
          CompletableFuture<LockHandle> f = lock.acquireAsync(key, LONG);
          if (ThreadLocalRandom.current().nextBoolean()) {
            Thread.yield();
          }
          return f.cancel(false) ? null : f.join(); // the grant won the race: keep it
        }
      case 4:
        try {
          return lock.acquireAsync(key, Duration.ofMillis(1)).join();
        } catch (CompletionException e) {
          if (e.getCause() instanceof LockTimeoutException) {
            return null;
          }
          throw e;
        }
      default:
        {
          Thread me = Thread.currentThread();
          Thread interrupter =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        Thread.yield();
                        me.interrupt();
                      });
          try {
            return lock.acquire(key, LONG);
          } catch (InterruptedException e) {
            return null;
          } finally {
            joinUninterruptibly(interrupter);
            Thread.interrupted(); // an interrupt that came after the grant: not for the next round
          }
        }
    }
  }

  /**
   * Closes on this thread, from another thread, twice here, or twice from two threads at once. The
   * worker waits for its closers: until the hold is closed, its thread still owns the key, and
   * asking for it again would be a self-deadlock (rightly refused).
   */
  private static void releaseSomehow(LockHandle h, int how) {
    switch (how) {
      case 0 -> h.close();
      case 1 -> joinUninterruptibly(Thread.ofVirtual().start(h::close));
      case 2 -> {
        h.close();
        h.close();
      }
      default -> {
        CountDownLatch go = new CountDownLatch(1);
        Runnable closer =
            () -> {
              try {
                go.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              h.close();
            };
        Thread a = Thread.ofVirtual().start(closer);
        Thread b = Thread.ofVirtual().start(closer);
        go.countDown();
        joinUninterruptibly(a);
        joinUninterruptibly(b);
      }
    }
    if (h.isHeld()) {
      throw new AssertionError("handle still held after close(): " + h);
    }
  }

  /** Joins a helper that will end soon, even if this thread gets interrupted meanwhile. */
  private static void joinUninterruptibly(Thread t) {
    while (true) {
      try {
        t.join();
        return;
      } catch (InterruptedException e) {
        // the helper interrupted us; keep waiting for it
      }
    }
  }
}
