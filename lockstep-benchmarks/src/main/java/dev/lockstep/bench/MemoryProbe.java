package dev.lockstep.bench;

import dev.lockstep.lock.KeyedLock;
import dev.lockstep.lock.LockHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Heap figures of the {@code locks} suite (not JMH): used heap after full collections, before and
 * after, in this JVM. The keys and the array of handles are allocated before the baseline, so the
 * deltas are the lock's own structures only. Each figure is the median of several rounds.
 */
final class MemoryProbe {
  static final int KEYS = 1_000_000;

  /** The figures of one probe. */
  record Figures(
      double lockstepBytesPerHeldKey,
      double lockstepRetainedAfterRelease,
      int lockstepActiveKeysAfterRelease,
      double chmReentrantLockRetained,
      double chmRemoveRetained) {}

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private MemoryProbe() {}

  static Figures measure(int rounds) throws InterruptedException {
    Integer[] keys = new Integer[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = 1_000_000 + i;
    }
    LockHandle[] handles = new LockHandle[KEYS];
    double[] perKey = new double[rounds];
    double[] retained = new double[rounds];
    double[] chm = new double[rounds];
    double[] chmRemove = new double[rounds];
    int maxActive = 0;
    // One method per measurement, so that no local variable keeps a previous structure alive.
    for (int r = 0; r < rounds; r++) {
      long[] lockstep = lockstep(keys, handles);
      perKey[r] = lockstep[0] / (double) KEYS;
      retained[r] = lockstep[1];
      maxActive = Math.max(maxActive, (int) lockstep[2]);
      chm[r] = chmReentrantLock(keys);
      chmRemove[r] = chmRemove(keys);
    }
    reachabilityFence(keys);
    return new Figures(median(perKey), median(retained), maxActive, median(chm), median(chmRemove));
  }

  /** Lockstep: {bytes while 1,000,000 keys are held, bytes retained after, active keys after}. */
  private static long[] lockstep(Integer[] keys, LockHandle[] handles) throws InterruptedException {
    Duration timeout = Duration.ofSeconds(10);
    KeyedLock<Integer> lock = KeyedLock.create();
    long base = usedAfterGc();
    for (int i = 0; i < KEYS; i++) {
      handles[i] = lock.acquire(keys[i], timeout);
    }
    long held = usedAfterGc();
    if (lock.activeKeys() != KEYS) {
      throw new IllegalStateException(
          "expected " + KEYS + " active keys, saw " + lock.activeKeys());
    }
    for (int i = 0; i < KEYS; i++) {
      handles[i].close();
      handles[i] = null;
    }
    long after = usedAfterGc();
    int active = lock.activeKeys();
    reachabilityFence(lock);
    return new long[] {held - base, after - base, active};
  }

  /** {@code ConcurrentHashMap<K, ReentrantLock>}: bytes retained after every key came and went. */
  private static long chmReentrantLock(Integer[] keys) throws InterruptedException {
    ConcurrentHashMap<Integer, ReentrantLock> map = new ConcurrentHashMap<>();
    long base = usedAfterGc();
    for (int i = 0; i < KEYS; i++) {
      ReentrantLock l = map.computeIfAbsent(keys[i], k -> new ReentrantLock());
      l.lock();
      l.unlock();
    }
    long after = usedAfterGc();
    reachabilityFence(map);
    return after - base;
  }

  /** A {@code ConcurrentHashMap} that held every key at once, then removed them all. */
  private static long chmRemove(Integer[] keys) throws InterruptedException {
    ConcurrentHashMap<Integer, Integer> map = new ConcurrentHashMap<>();
    long base = usedAfterGc();
    for (int i = 0; i < KEYS; i++) {
      map.put(keys[i], keys[i]);
    }
    for (int i = 0; i < KEYS; i++) {
      map.remove(keys[i]);
    }
    long after = usedAfterGc();
    reachabilityFence(map);
    return after - base;
  }

  private static void reachabilityFence(Object o) {
    java.lang.ref.Reference.reachabilityFence(o);
  }

  /** Used heap after full collections, once it has stopped moving. */
  static long usedAfterGc() throws InterruptedException {
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(20);
      long used = MEMORY.getHeapMemoryUsage().getUsed();
      if (Math.abs(used - last) < 64 * 1024) {
        return Math.min(used, last);
      }
      last = used;
    }
    return last;
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
