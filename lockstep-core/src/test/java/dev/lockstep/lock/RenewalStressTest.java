package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Review 22: platform-thread stress of a node-mode slot while it is renewed (see {@link FastSlots},
 * renewal), with three keys that share the slot: blocking acquires (node takes and hand-off
 * chains), tries (which inflate the slot when it is busy), tries with short timeouts (chain waiters
 * that give up), asynchronous acquisitions (the table, some with short timeouts), interrupts of
 * waiting threads, and second closes, from the holder and from another thread, of handles closed
 * already or being closed. An occupancy counter per key checks that a key never has two holders; at
 * the end no key may be held, {@code activeKeys()} must be 0, each key must be free for a try, and
 * the slot must have been renewed. Run time: {@code -Dlockstep.review.renewalSeconds} (default 12).
 *
 * <p>Shown to fail against a deliberately broken variant (then restored): {@code FastSlots.renew}
 * installing {@code new Cell(engine, c.state, null)}, a new cell without the hold it returns as
 * taken: "holds overlapped" (after 6 s of the run shown).
 */
class RenewalStressTest {
  private static final long SECONDS = Long.getLong("lockstep.review.renewalSeconds", 12);
  private static final Duration LONG = Duration.ofSeconds(20);
  private static final int WORKERS = 4;

  /** Three keys of one slot (equal spread hashes in the slot bits, different keys). */
  static String[] keysOfOneSlot(int count) {
    String[] keys = new String[count];
    keys[0] = "renewal-0";
    int slot = LockEngine.spread(keys[0].hashCode()) & FastSlots.MASK;
    int found = 1;
    for (int i = 1; found < count; i++) {
      String k = "renewal-" + i;
      if ((LockEngine.spread(k.hashCode()) & FastSlots.MASK) == slot) {
        keys[found++] = k;
      }
    }
    return keys;
  }

  @Test
  void holdsStayExclusiveAcrossRenewalsOfASharedSlot() throws Exception {
    KeyedLock<String> lock = KeyedLock.create();
    LockEngine engine = ((ExclusiveKeyedLock<String>) lock).engine;
    String[] keys = keysOfOneSlot(3);
    int slot = LockEngine.spread(keys[0].hashCode()) & FastSlots.MASK;

    // Node mode: a try of a stamped hold's key inflates the slot.
    LockHandle first = lock.acquire(keys[0], LONG);
    assertFalse(lock.tryAcquire(keys[0]).isPresent());
    first.close();

    AtomicInteger[] inside = new AtomicInteger[keys.length];
    for (int i = 0; i < keys.length; i++) {
      inside[i] = new AtomicInteger();
    }
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger heldAfterClose = new AtomicInteger();
    AtomicLong holds = new AtomicLong();
    AtomicLong interrupted = new AtomicLong();
    AtomicLong timedOut = new AtomicLong();
    ConcurrentLinkedQueue<LockHandle> toClose = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean done = new AtomicBoolean();
    AtomicBoolean workersDone = new AtomicBoolean();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < WORKERS; t++) {
      workers.add(
          Thread.ofPlatform()
              .name("renewal-stress-" + t)
              .unstarted(
                  () -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    List<LockHandle> closed = new ArrayList<>();
                    while (!done.get() && failures.isEmpty()) {
                      // Mostly the first key, so that its node takes renew the slot's cell.
                      int id = r.nextInt(8) < 6 ? 0 : 1 + r.nextInt(keys.length - 1);
                      String k = keys[id];
                      LockHandle h;
                      try {
                        int how = r.nextInt(32);
                        if (how < 3) {
                          h = lock.tryAcquire(k).orElse(null);
                        } else if (how < 6) {
                          h = lock.tryAcquire(k, Duration.ofNanos(r.nextInt(200_000))).orElse(null);
                        } else if (how == 6) {
                          h = lock.acquireAsync(k, LONG).join();
                        } else if (how == 7) {
                          CompletableFuture<LockHandle> f =
                              lock.acquireAsync(k, Duration.ofNanos(1 + r.nextInt(100_000)));
                          try {
                            h = f.join();
                          } catch (CompletionException e) {
                            if (!(e.getCause() instanceof LockTimeoutException)) {
                              throw e;
                            }
                            timedOut.incrementAndGet();
                            h = null;
                          }
                        } else {
                          h = lock.acquire(k, LONG);
                        }
                      } catch (InterruptedException e) {
                        interrupted.incrementAndGet();
                        continue;
                      } catch (Throwable e) {
                        failures.add(e);
                        return;
                      }
                      if (h == null) {
                        Thread.interrupted(); // an interrupt that met no wait
                        continue;
                      }
                      if (inside[id].incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                      }
                      holds.incrementAndGet();
                      if (r.nextInt(4) == 0) {
                        Thread.onSpinWait();
                      }
                      inside[id].decrementAndGet();
                      int close = r.nextInt(16);
                      if (close == 0) {
                        toClose.add(h); // the first close from another thread
                        while (h.isHeld()) { // this thread still owns it (no self-deadlock)
                          Thread.yield();
                        }
                        h.close(); // a second close, maybe at once with the closer's
                      } else {
                        h.close();
                        if (close == 1) {
                          toClose.add(h); // a second close from another thread, maybe at once
                        }
                        if (close <= 3) {
                          h.close();
                        }
                        closed.add(h);
                      }
                      for (LockHandle x; r.nextInt(2) == 0 && (x = toClose.poll()) != null; ) {
                        x.close();
                      }
                      if (closed.size() > 16) {
                        for (LockHandle x : closed) {
                          if (x.isHeld()) {
                            heldAfterClose.incrementAndGet();
                          }
                        }
                        closed.clear();
                      }
                    }
                  }));
    }
    Map<FastSlots.Cell, Boolean> cells = new IdentityHashMap<>();
    Thread interrupter =
        Thread.ofPlatform()
            .name("renewal-stress-interrupter")
            .unstarted(
                () -> {
                  ThreadLocalRandom r = ThreadLocalRandom.current();
                  while (!done.get()) {
                    LockSupport.parkNanos(50_000 + r.nextInt(500_000));
                    workers.get(r.nextInt(WORKERS)).interrupt();
                  }
                });
    Thread closer = // closes what workers hand over, so that a handed-over hold never waits long
        Thread.ofPlatform()
            .name("renewal-stress-closer")
            .unstarted(
                () -> {
                  while (!workersDone.get()) {
                    LockHandle x = toClose.poll();
                    if (x != null) {
                      x.close();
                    } else {
                      Thread.yield();
                    }
                  }
                });
    workers.forEach(Thread::start);
    interrupter.start();
    closer.start();
    long end = System.nanoTime() + SECONDS * 1_000_000_000L;
    while (System.nanoTime() - end < 0 && failures.isEmpty() && overlaps.get() == 0) {
      cells.put(engine.slots.cell(slot), Boolean.TRUE); // the slot's cells seen (renewals)
      Thread.sleep(1);
    }
    done.set(true);
    interrupter.join();
    for (Thread t : workers) {
      t.join(Duration.ofSeconds(60));
      assertFalse(t.isAlive(), () -> "a worker is stuck: " + List.of(t.getStackTrace()));
    }
    workersDone.set(true);
    closer.join();
    for (LockHandle x; (x = toClose.poll()) != null; ) {
      x.close();
    }
    assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.peek());
    assertEquals(0, overlaps.get(), "holds overlapped");
    assertEquals(0, heldAfterClose.get(), "closed handles read held");
    for (String k : keys) {
      assertFalse(lock.isLocked(k), () -> "key " + k + " locked by nobody");
    }
    assertEquals(0, lock.activeKeys(), "keys retained");
    for (String k : keys) {
      LockHandle again =
          lock.tryAcquire(k).orElseThrow(() -> new AssertionError("key " + k + " held by nobody"));
      again.close();
    }
    assertEquals(0, lock.activeKeys(), "keys retained");
    assertTrue(cells.size() > 2, () -> "the slot was renewed " + (cells.size() - 1) + " times");
    System.out.printf(
        "holds %d, interrupted %d, async timeouts %d, cells seen %d%n",
        holds.get(), interrupted.get(), timedOut.get(), cells.size());
  }
}
