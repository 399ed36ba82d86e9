package dev.lockstep.lock;

import static dev.lockstep.lock.KeyedLockLincheckTest.FOREVER;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck for {@link KeyedReadWriteLock}: writers increment a plain per-key counter under the
 * write lock (blocking, asynchronous, or write-then-downgrade-then-read), readers read it under the
 * read lock; histories must be linearizable with respect to a plain map, and no key may be retained
 * afterwards.
 */
class KeyedReadWriteLockLincheckTest {

  static ModelCheckingOptions modelChecking() {
    return new ModelCheckingOptions()
        .iterations(6)
        .invocationsPerIteration(150)
        .threads(3)
        .actorsPerThread(2)
        .sequentialSpecification(Scenario.Counters.class);
  }

  @Test
  void modelChecking_isLinearizable() {
    modelChecking().check(OnRealLock.class);
  }

  @Test
  void stress_isLinearizable() {
    new StressOptions()
        .iterations(10)
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(3)
        .sequentialSpecification(Scenario.Counters.class)
        .check(OnRealLock.class);
  }

  /** Catches {@link BrokenReadWriteLocks#writesShared()}: two writers inside one key. */
  @Test
  void modelCheckingCatchesSharedWrites() {
    AssertionError e =
        assertThrows(AssertionError.class, () -> modelChecking().check(OnSharedWrites.class));
    assertTrue(e.getMessage().contains("Invalid execution results"), e.getMessage());
  }

  /** The operations on the real lock. */
  public static final class OnRealLock extends Scenario {
    public OnRealLock() {
      super(KeyedReadWriteLock.create(LockOptions.named("lincheck-rw")));
    }
  }

  /** The same operations on a lock whose writers share. */
  public static final class OnSharedWrites extends Scenario {
    public OnSharedWrites() {
      super(BrokenReadWriteLocks.writesShared());
    }
  }

  /** The operations Lincheck mixes, on some keyed read-write lock. */
  @Param(name = "key", gen = IntGen.class, conf = "0:1")
  public abstract static class Scenario {
    private final KeyedReadWriteLock<Integer> lock;
    private final int[] counts = new int[2];

    Scenario(KeyedReadWriteLock<Integer> lock) {
      this.lock = lock;
    }

    @Operation
    public int write(@Param(name = "key") int key) throws InterruptedException {
      LockHandle h = lock.acquireWrite(key, FOREVER);
      try {
        return bump(key);
      } finally {
        h.close();
      }
    }

    @Operation
    public int writeAsync(@Param(name = "key") int key) {
      LockHandle h = lock.acquireWriteAsync(key, FOREVER).join();
      try {
        return bump(key);
      } finally {
        h.close();
      }
    }

    /** Writes, downgrades, and reads back what it wrote: no writer can slip in between. */
    @Operation
    public int writeThenRead(@Param(name = "key") int key) throws InterruptedException {
      LockHandle h = lock.acquireWrite(key, FOREVER);
      bump(key);
      LockHandle r = h.downgrade();
      try {
        return counts[key];
      } finally {
        r.close();
      }
    }

    @Operation
    public int read(@Param(name = "key") int key) throws InterruptedException {
      LockHandle h = lock.acquireRead(key, FOREVER);
      try {
        return counts[key];
      } finally {
        h.close();
      }
    }

    @Operation
    public int readAsync(@Param(name = "key") int key) {
      LockHandle h = lock.acquireReadAsync(key, FOREVER).join();
      try {
        return counts[key];
      } finally {
        h.close();
      }
    }

    private int bump(int key) {
      int c = counts[key];
      counts[key] = c + 1;
      return c + 1;
    }

    @Validate
    public void noKeyRetained() {
      if (lock.activeKeys() != 0) {
        throw new IllegalStateException(lock.activeKeys() + " keys retained after the scenario");
      }
    }

    /** The sequential specification: a plain map of counters. */
    public static final class Counters {
      private final Map<Integer, Integer> counts = new HashMap<>();

      public int write(int key) {
        return counts.merge(key, 1, Integer::sum);
      }

      public int writeAsync(int key) {
        return write(key);
      }

      public int writeThenRead(int key) {
        return write(key);
      }

      public int read(int key) {
        return counts.getOrDefault(key, 0);
      }

      public int readAsync(int key) {
        return read(key);
      }
    }
  }
}
