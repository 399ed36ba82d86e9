package dev.lockstep.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * Not a suite: the ceiling of a FIFO lock on one hot key with two threads, beside Lockstep's {@code
 * KeyedLock}, Guava's {@code Striped.lazyWeakLock} and a fair {@code ReentrantLock}, in one run.
 *
 * <p>Two threads that do nothing but take and release one lock keep each other waiting: when one
 * releases, the other is (almost always) already queued, so a lock that grants in arrival order
 * (issue 9 §2: "FIFO per key: no barging") must hand the key to the other thread, and the
 * acquisitions alternate. The {@code alternation} group is the least any such hand-off can cost:
 * two threads that pass a turn back and forth through one volatile field, spinning, with no queue,
 * no handle and no parking; each pass counts as one acquisition. A barging lock such as Guava's
 * (non-fair {@code ReentrantLock} stripes) is not bound by it: the releasing thread takes the lock
 * again while the cache line is still its own, many times in a row. Run with {@code java -cp
 * lockstep-benchmarks/target/lockstep-benchmarks.jar org.openjdk.jmh.Main HotKeyFloorBenchmark};
 * figures in {@code docs/benchmarks.md}.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 3,
    jvmArgs = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HotKeyFloorBenchmark {
  private static final Integer HOT_KEY = 1_000_500; // boxed once, outside the Integer cache

  /** Whose turn it is in the {@code alternation} group: 0 or 1. */
  private volatile int turn;

  KeyedLockImpl lockstep;
  KeyedLockImpl lazyWeak;
  KeyedLockImpl fair;

  @Setup
  public void setUp() {
    lockstep = KeyedLockImpl.create("lockstep");
    lazyWeak = KeyedLockImpl.create("guava-striped-lazyweak");
    fair = KeyedLockImpl.create("reentrantlock-fair");
  }

  private void pass(Control control, int mine) {
    while (turn != mine) {
      if (control.stopMeasurement) {
        return; // the other thread has left the iteration: do not wait for it
      }
      Thread.onSpinWait();
    }
    turn = 1 - mine;
  }

  /** The floor, first thread: waits for its turn, hands the turn over. */
  @Benchmark
  @Group("alternation")
  @GroupThreads(1)
  public void ping(Control control) {
    pass(control, 0);
  }

  /** The floor, second thread. */
  @Benchmark
  @Group("alternation")
  @GroupThreads(1)
  public void pong(Control control) {
    pass(control, 1);
  }

  /** Lockstep's keyed lock, two threads on one key (the suite's {@code hot-key-2t}). */
  @Benchmark
  @Group("lockstep")
  @GroupThreads(2)
  public void lockstep() throws InterruptedException {
    lockstep.release(lockstep.acquire(HOT_KEY));
  }

  /** Guava {@code Striped.lazyWeakLock}, the target's peer (barging). */
  @Benchmark
  @Group("lazyweak")
  @GroupThreads(2)
  public void lazyWeak() throws InterruptedException {
    lazyWeak.release(lazyWeak.acquire(HOT_KEY));
  }

  /** A fair {@code ReentrantLock}: FIFO like Lockstep, but parking its waiters. */
  @Benchmark
  @Group("fair")
  @GroupThreads(2)
  public void fair() throws InterruptedException {
    fair.release(fair.acquire(HOT_KEY));
  }
}
