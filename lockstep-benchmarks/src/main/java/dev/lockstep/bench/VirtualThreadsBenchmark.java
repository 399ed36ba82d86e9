package dev.lockstep.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Suite {@code locks}, virtual-thread scenarios {@code vthreads-1000} and {@code vthreads-100000}:
 * one invocation starts that many virtual threads over 1,000 keys, each doing acquire → increment
 * the key's counter → release, and joins them all. Measured single-shot; one operation is one
 * virtual thread's cycle, so ops/s are comparable across batch sizes. Every batch checks that each
 * key's counter is exact (a lost update fails the benchmark).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
public class VirtualThreadsBenchmark {

  @Param({
    "lockstep",
    "reentrantlock",
    "chm-reentrantlock",
    "guava-striped-lazyweak",
    "guava-striped"
  })
  public String impl;

  KeyedLockImpl lock;
  Integer[] keys;

  @Setup(Level.Trial)
  public void setUp() {
    lock = KeyedLockImpl.create(impl);
    keys = new Integer[LocksBenchmark.KEYS];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = 1_000_000 + i;
    }
  }

  /** Scenario {@code vthreads-1000}. */
  @Benchmark
  @OperationsPerInvocation(1000)
  public long vthreads1000() throws InterruptedException {
    return batch(lock, keys, 1000);
  }

  /** Scenario {@code vthreads-100000}. */
  @Benchmark
  @OperationsPerInvocation(100_000)
  public long vthreads100000() throws InterruptedException {
    return batch(lock, keys, 100_000);
  }

  /**
   * Runs {@code threads} virtual threads, thread {@code i} on key {@code i % keys.length}; returns
   * the total count after checking every key's count is exact.
   */
  static long batch(KeyedLockImpl lock, Integer[] keys, int threads) throws InterruptedException {
    long[] counts = new long[keys.length];
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread[] started = new Thread[threads];
    Thread.Builder builder = Thread.ofVirtual();
    for (int i = 0; i < threads; i++) {
      int k = i % keys.length;
      started[i] =
          builder.start(
              () -> {
                try {
                  Object token = lock.acquire(keys[k]);
                  try {
                    counts[k]++;
                  } finally {
                    lock.release(token);
                  }
                } catch (Throwable t) {
                  failure.compareAndSet(null, t);
                }
              });
    }
    for (Thread t : started) {
      t.join();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a virtual thread failed", failure.get());
    }
    long total = 0;
    for (int k = 0; k < counts.length; k++) {
      long expected = threads / keys.length + (k < threads % keys.length ? 1 : 0);
      if (counts[k] != expected) {
        throw new IllegalStateException(
            "key " + k + " counted " + counts[k] + ", expected " + expected + " (lost updates)");
      }
      total += counts[k];
    }
    return total;
  }
}
