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
 * Suite {@code rwlock}: one lock guarding a counter. Scenarios {@code uncontended-read}, {@code
 * uncontended-write} (one thread) and {@code rw-90-10-2t} (two threads, each operation a read with
 * probability 90 % and a write otherwise). Lockstep runs twice: {@code lockstep} through handles,
 * {@code lockstep-scoped} through its scoped methods.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RwLockBenchmark {

  @Param({"lockstep", "lockstep-scoped", "rrwl-fair", "rrwl-nonfair", "stampedlock"})
  public String impl;

  RwLockImpl lock;

  @Setup(Level.Trial)
  public void setUp() {
    lock = RwLockImpl.create(impl);
  }

  /** A thread's own shuffled mix: exactly 100 writes in every 1,000 operations. */
  @State(Scope.Thread)
  public static class Mix {
    final boolean[] writes = new boolean[1000];
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      for (int i = 0; i < 100; i++) {
        writes[i] = true;
      }
      SplittableRandom random =
          new SplittableRandom(System.nanoTime() ^ Thread.currentThread().threadId());
      for (int i = writes.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        boolean t = writes[i];
        writes[i] = writes[j];
        writes[j] = t;
      }
    }

    boolean nextIsWrite() {
      int i = next;
      next = i + 1 == writes.length ? 0 : i + 1;
      return writes[i];
    }
  }

  /** Scenario {@code uncontended-read}. */
  @Benchmark
  @Threads(1)
  public long uncontendedRead() throws InterruptedException {
    return lock.read();
  }

  /** Scenario {@code uncontended-write}. */
  @Benchmark
  @Threads(1)
  public void uncontendedWrite() throws InterruptedException {
    lock.write();
  }

  /** Scenario {@code rw-90-10-2t}. */
  @Benchmark
  @Threads(2)
  public long readWrite9010(Mix mix) throws InterruptedException {
    if (mix.nextIsWrite()) {
      lock.write();
      return 0;
    }
    return lock.read();
  }
}
