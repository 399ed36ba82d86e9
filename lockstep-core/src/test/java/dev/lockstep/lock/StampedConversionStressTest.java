package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Platform-thread stress of the stamped path's conversions with keys that are equal but not the
 * same object (so a contender runs the holder key's {@code equals()}, user code, between its
 * seqlock check and its claim: the window of a stale conversion claim), mixed with tries (which
 * inflate), async acquisitions (table), duplicate closes and {@code isHeld()} reads of closed
 * handles. Run time: {@code -Dlockstep.review.seconds} (default 20).
 */
class StampedConversionStressTest {
  private static final long SECONDS = Long.getLong("lockstep.review.seconds", 20);
  private static final Duration LONG = Duration.ofSeconds(20);

  static final class SlowKey {
    final int id;

    SlowKey(int id) {
      this.id = id;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof SlowKey k)) {
        return false;
      }
      int spin = ThreadLocalRandom.current().nextInt(64);
      for (int i = 0; i < spin; i++) {
        Thread.onSpinWait();
      }
      if (spin == 0) {
        Thread.yield();
      }
      return k.id == id;
    }

    @Override
    public int hashCode() {
      return 7; // every key in one slot
    }
  }

  @Test
  void conversionsNeverStrandAKey() throws Exception {
    KeyedLock<SlowKey> lock = KeyedLock.create();
    LockEngine engine = ((ExclusiveKeyedLock<SlowKey>) lock).engine;
    int keys = 2;
    AtomicInteger[] inside = new AtomicInteger[keys];
    for (int i = 0; i < keys; i++) {
      inside[i] = new AtomicInteger();
    }
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger heldAfterClose = new AtomicInteger();
    AtomicLong holds = new AtomicLong();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean done = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(
          new Thread(
              () -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                List<LockHandle> closed = new ArrayList<>();
                while (!done.get()) {
                  int id = r.nextInt(keys);
                  SlowKey k = new SlowKey(id);
                  LockHandle h;
                  try {
                    int how = r.nextInt(16);
                    if (how == 0) {
                      h = lock.tryAcquire(k).orElse(null);
                    } else if (how == 1) {
                      h = lock.acquireAsync(k, LONG).join();
                    } else {
                      h = lock.acquire(k, LONG);
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                    done.set(true);
                    return;
                  }
                  if (h == null) {
                    continue;
                  }
                  if (inside[id].incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                  }
                  holds.incrementAndGet();
                  inside[id].decrementAndGet();
                  h.close();
                  if (r.nextInt(8) == 0) {
                    h.close();
                  }
                  closed.add(h);
                  if (closed.size() > 16) {
                    for (LockHandle x : closed) {
                      if (x.isHeld()) {
                        heldAfterClose.incrementAndGet();
                      }
                    }
                    closed.clear();
                  }
                }
              },
              "stress-" + t));
    }
    threads.forEach(Thread::start);
    Thread.sleep(SECONDS * 1000);
    done.set(true);
    for (Thread t : threads) {
      t.join(Duration.ofSeconds(60));
      assertTrue(!t.isAlive(), "a worker is stuck: " + List.of(t.getStackTrace()));
    }
    assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.peek());
    assertEquals(0, overlaps.get(), "holds overlapped");
    assertEquals(0, heldAfterClose.get(), "closed handles read held");
    for (int id = 0; id < keys; id++) {
      assertTrue(!lock.isLocked(new SlowKey(id)), "key " + id + " locked by nobody");
    }
    assertEquals(0, lock.activeKeys(), "keys retained");
    System.out.println("holds: " + holds.get());
  }
}
