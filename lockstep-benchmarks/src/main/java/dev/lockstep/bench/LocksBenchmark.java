package dev.lockstep.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Suite {@code locks}, throughput scenarios: one acquire + release of a keyed exclusive lock per
 * operation. Scenario names: {@code uncontended}, {@code keys-1000-2t}, {@code hot-key-2t}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LocksBenchmark {

  /** Keys of the keyed scenarios. */
  public static final int KEYS = 1000;

  @Param({
    "lockstep",
    "reentrantlock",
    "reentrantlock-fair",
    "chm-reentrantlock",
    "guava-striped-lazyweak",
    "guava-striped"
  })
  public String impl;

  KeyedLockImpl lock;
  Integer[] keys;
  Integer hotKey;

  @Setup(Level.Trial)
  public void setUp() {
    lock = KeyedLockImpl.create(impl);
    keys = keys();
    hotKey = keys[KEYS / 2];
  }

  /** The keys of the keyed scenarios, boxed once, outside the Integer cache. */
  static Integer[] keys() {
    Integer[] keys = new Integer[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = 1_000_000 + i;
    }
    return keys;
  }

  /** A thread's own random walk over the key indexes (precomputed: no RNG on the hot path). */
  @State(Scope.Thread)
  public static class Cursor {
    static final int MASK = 4095;
    final int[] sequence = new int[MASK + 1];
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      fill(sequence, System.nanoTime() ^ Thread.currentThread().threadId());
    }

    /** Fills {@code walk} ({@code MASK + 1} long) with random key indexes from {@code seed}. */
    static void fill(int[] walk, long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      for (int i = 0; i < walk.length; i++) {
        walk[i] = random.nextInt(KEYS);
      }
    }

    int nextIndex() {
      return sequence[next++ & MASK];
    }
  }

  /** Scenario {@code uncontended}: one thread, one key. */
  @Benchmark
  @Threads(1)
  public void uncontended() throws InterruptedException {
    lock.release(lock.acquire(hotKey));
  }

  /** Scenario {@code keys-1000-2t}: two threads, each on random keys among 1,000. */
  @Benchmark
  @Threads(2)
  public void keys1000(Cursor cursor) throws InterruptedException {
    lock.release(lock.acquire(keys[cursor.nextIndex()]));
  }

  /** Scenario {@code hot-key-2t}: two threads on one key. */
  @Benchmark
  @Threads(2)
  public void hotKey() throws InterruptedException {
    lock.release(lock.acquire(hotKey));
  }
}
