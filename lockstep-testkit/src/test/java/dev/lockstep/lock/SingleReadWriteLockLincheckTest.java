package dev.lockstep.lock;

import static dev.lockstep.lock.KeyedLockLincheckTest.FOREVER;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck for the single-resource {@link ReadWriteLock} engine ({@link SingleReadWriteLock}):
 * writers increment a plain counter under the write lock (blocking, asynchronous, try-then-block,
 * write-then-downgrade-then-read, or a write scope), readers read it under the read lock (blocking,
 * asynchronous, try-then-block, or a read scope); histories must be linearizable with respect to a
 * plain counter, no operation may hang (Lincheck reports a lost wake-up as a deadlock), and the
 * lock must be idle afterwards.
 *
 * <p>Shown to fail once by editing {@code SingleReadWriteLock}: a writer fast path that enters
 * whenever no writer holds and nobody waits ({@code (s & (WRITER | QUEUED)) == 0}, CAS to {@code s
 * | WRITER}, so a writer joins current readers) made the model check fail with "Invalid execution
 * results". (A lost wake-up, reads never granting the queue, made the run hang instead of failing:
 * {@link SingleReadWriteLockStressTest} catches that one with its bounded waits.) A read scope that
 * left without its add on the lock word failed both checks here with "the lock is not idle after
 * the scenario".
 */
class SingleReadWriteLockLincheckTest {

  @Test
  void modelChecking_isLinearizable() {
    new ModelCheckingOptions()
        .iterations(8)
        .invocationsPerIteration(200)
        .threads(3)
        .actorsPerThread(2)
        .sequentialSpecification(Counter.class)
        .check(Scenario.class);
  }

  @Test
  void stress_isLinearizable() {
    new StressOptions()
        .iterations(10)
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(3)
        .sequentialSpecification(Counter.class)
        .check(Scenario.class);
  }

  /** The operations Lincheck mixes, on one lock guarding one plain counter. */
  public static final class Scenario {
    private final ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("lincheck-single"));
    private int count;

    @Operation
    public int write() throws InterruptedException {
      return bump(lock.acquireWrite(FOREVER));
    }

    @Operation
    public int writeAsync() {
      return bump(lock.acquireWriteAsync(FOREVER).join());
    }

    @Operation
    public int writeIfFree() throws InterruptedException {
      // A busy lock is skipped; to stay comparable with the counter, a skip retries blocking.
      LockHandle h = lock.tryAcquireWrite().orElse(null);
      return bump(h != null ? h : lock.acquireWrite(FOREVER));
    }

    /** Writes, downgrades, and reads back what it wrote: no writer can slip in between. */
    @Operation
    public int writeThenRead() throws InterruptedException {
      LockHandle h = lock.acquireWrite(FOREVER);
      count++;
      LockHandle r = h.downgrade();
      try {
        return count;
      } finally {
        r.close();
      }
    }

    @Operation
    public int read() throws InterruptedException {
      return read(lock.acquireRead(FOREVER));
    }

    @Operation
    public int readAsync() {
      return read(lock.acquireReadAsync(FOREVER).join());
    }

    @Operation
    public int readIfFree() throws InterruptedException {
      LockHandle h = lock.tryAcquireRead().orElse(null);
      return read(h != null ? h : lock.acquireRead(FOREVER));
    }

    /** A scoped read: no handle, one CAS in and one add out when uncontended. */
    @Operation
    public int readScoped() throws InterruptedException {
      return lock.read(FOREVER, () -> count);
    }

    @Operation
    public int writeScoped() throws InterruptedException {
      return lock.write(FOREVER, () -> ++count);
    }

    private int bump(LockHandle h) {
      try {
        int c = count;
        count = c + 1;
        return c + 1;
      } finally {
        h.close();
      }
    }

    private int read(LockHandle h) {
      try {
        return count;
      } finally {
        h.close();
      }
    }

    @Validate
    public void idleAfterwards() {
      if (!((SingleReadWriteLock) lock).idle()) {
        throw new IllegalStateException("the lock is not idle after the scenario: " + lock);
      }
    }
  }

  /** The sequential specification: a plain counter. */
  public static final class Counter {
    private int count;

    public int write() {
      return ++count;
    }

    public int writeAsync() {
      return write();
    }

    public int writeIfFree() {
      return write();
    }

    public int writeThenRead() {
      return write();
    }

    public int read() {
      return count;
    }

    public int readAsync() {
      return read();
    }

    public int readIfFree() {
      return read();
    }

    public int readScoped() {
      return read();
    }

    public int writeScoped() {
      return write();
    }
  }
}
