package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The fast path's exactly-once close (see {@link FastSlots}, "Exactly once"), raced head-on with
 * platform threads: per round, the owner takes the key, {@value #CLOSERS} threads close that one
 * handle at the same instant, and the owner takes the key again the moment the handle reads
 * released, while the slowest closers may still be inside their {@code close()}; a contender keeps
 * trying the key all along. Checks: the stale closes never release the owner's new hold (it is
 * still held, and the key still locked, once every closer has returned), no two holds overlap (an
 * "inside" counter), and nothing is retained at the end (no active key, every slot free). Scale
 * with {@code -Dlockstep.close.rounds}.
 *
 * <p>Shown to fail once against a deliberately broken {@code FastSlots.release} (then reverted)
 * that releases a lone hold with one atomic fewer, deciding by reads instead of the slot's CAS (the
 * node reads HELD, has no successor and is the slot's value: store null into the slot, then write
 * RELEASED): in two runs the key ended held by nobody, so a blocking acquire timed out ({@code
 * LockTimeoutException} after 20 s, once on the owner's retake with the contender still recorded as
 * holder, once on the round's first take with no holder at all), because a closer's store erased a
 * hold or a queued waiter that had taken the slot after its reads.
 */
class ConcurrentCloseTest {
  private static final int CLOSERS = 3;
  private static final int ROUNDS = Integer.getInteger("lockstep.close.rounds", 20_000);
  private static final Duration LONG = Duration.ofSeconds(20);

  @Test
  void manyClosersReleaseOnceAndNeverTheOwnersNextHold() throws Exception {
    KeyedLock<Integer> lock = KeyedLock.create();
    assertTrue(((ExclusiveKeyedLock<Integer>) lock).engine.fast);
    Integer key = 1_000_500;
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CyclicBarrier go = new CyclicBarrier(CLOSERS + 1);
    CyclicBarrier closed = new CyclicBarrier(CLOSERS + 1);
    LockHandle[] shared = new LockHandle[1]; // published by the barrier
    AtomicBoolean done = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < CLOSERS; c++) {
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      for (int r = 0; r < ROUNDS; r++) {
                        go.await();
                        shared[0].close();
                        closed.await();
                      }
                    } catch (Throwable e) {
                      failures.add(e);
                    }
                  }));
    }
    Thread contender =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (!done.get()) {
                    lock.tryAcquire(key)
                        .ifPresent(
                            h -> {
                              enter(inside, overlaps);
                              Thread.onSpinWait();
                              inside.decrementAndGet();
                              h.close();
                            });
                  }
                });
    boolean completed = false;
    try {
      for (int r = 0; r < ROUNDS; r++) {
        LockHandle h = lock.acquire(key, LONG);
        enter(inside, overlaps);
        shared[0] = h;
        inside.decrementAndGet(); // the closers release it from here on
        go.await(LONG.toSeconds(), TimeUnit.SECONDS);
        long deadline = System.nanoTime() + LONG.toNanos();
        while (h.isHeld()) {
          assertTrue(System.nanoTime() - deadline < 0, "no close() released the handle");
          Thread.onSpinWait();
        }
        LockHandle next = lock.acquire(key, LONG); // may race the closers still in close()
        enter(inside, overlaps);
        closed.await(LONG.toSeconds(), TimeUnit.SECONDS); // every closer has returned
        if (!next.isHeld() || !lock.isLocked(key) || overlaps.get() != 0) {
          throw new AssertionError("a stale close() released the new hold in round " + r);
        }
        inside.decrementAndGet();
        next.close();
      }
      completed = true;
    } finally {
      done.set(true);
      if (!completed) { // let the closers out of their barriers
        go.reset();
        closed.reset();
      }
      for (Thread t : threads) {
        t.join(LONG);
      }
      contender.join(LONG);
    }
    assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.peek());
    assertEquals(0, overlaps.get(), "holds of the key overlapped");
    assertEquals(0, lock.activeKeys(), "keys retained");
    FastSlots slots = ((ExclusiveKeyedLock<Integer>) lock).engine.slots;
    for (int s = 0; s < FastSlots.SLOTS; s++) {
      assertNull(slots.get(s), "slot " + s + " still in use");
    }
  }

  private static void enter(AtomicInteger inside, AtomicInteger overlaps) {
    if (inside.incrementAndGet() != 1) {
      overlaps.incrementAndGet();
    }
  }
}
