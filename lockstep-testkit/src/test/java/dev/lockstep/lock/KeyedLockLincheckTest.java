package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
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
 * Lincheck: every operation takes a key with a blocking or asynchronous acquire, works on a plain
 * per-key counter and releases it; the histories must be linearizable with respect to a plain map,
 * and no key may be retained afterwards. Model checking explores interleavings of the engine's
 * stripe spin lock, hand-off, parking and future completion; stress mode runs them on real threads.
 * Timeouts are out of reach here (model checking has no clock): the stress harness covers them.
 */
class KeyedLockLincheckTest {
  /** Effectively unbounded, and too long to schedule a timeout task: no timer thread involved. */
  static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);

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

  /** Catches {@link BrokenKeyedLocks#nonLocking()}: increments are lost or duplicated. */
  @Test
  void modelCheckingCatchesANonLockingLock() {
    AssertionError e =
        assertThrows(AssertionError.class, () -> modelChecking().check(OnNonLockingLock.class));
    assertTrue(e.getMessage().contains("Invalid execution results"), e.getMessage());
  }

  /** The operations on the real lock. */
  public static final class OnRealLock extends Scenario {
    public OnRealLock() {
      super(KeyedLock.create(LockOptions.named("lincheck")));
    }
  }

  /** The same operations on a lock that does not exclude. */
  public static final class OnNonLockingLock extends Scenario {
    public OnNonLockingLock() {
      super(BrokenKeyedLocks.nonLocking());
    }
  }

  /** The operations Lincheck mixes, on some keyed lock. */
  @Param(name = "key", gen = IntGen.class, conf = "0:1")
  public abstract static class Scenario {
    private final KeyedLock<Integer> lock;
    private final int[] counts = new int[2];

    Scenario(KeyedLock<Integer> lock) {
      this.lock = lock;
    }

    @Operation
    public int increment(@Param(name = "key") int key) throws InterruptedException {
      return bump(lock.acquire(key, FOREVER), key);
    }

    @Operation
    public int incrementAsync(@Param(name = "key") int key) {
      return bump(lock.acquireAsync(key, FOREVER).join(), key);
    }

    @Operation
    public int incrementIfFree(@Param(name = "key") int key) {
      // Busy keys are skipped; to stay comparable with the map, a skip retries blocking.
      return lock.tryAcquire(key).map(h -> bump(h, key)).orElseGet(() -> incrementBlocking(key));
    }

    @Operation
    public int get(@Param(name = "key") int key) throws InterruptedException {
      LockHandle h = lock.acquire(key, FOREVER);
      try {
        return counts[key];
      } finally {
        h.close();
      }
    }

    private int incrementBlocking(int key) {
      try {
        return increment(key);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }

    private int bump(LockHandle h, int key) {
      try {
        int c = counts[key];
        counts[key] = c + 1;
        return c + 1;
      } finally {
        h.close();
      }
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

      public int increment(int key) {
        return counts.merge(key, 1, Integer::sum);
      }

      public int incrementAsync(int key) {
        return increment(key);
      }

      public int incrementIfFree(int key) {
        return increment(key);
      }

      public int get(int key) {
        return counts.getOrDefault(key, 0);
      }
    }
  }
}
