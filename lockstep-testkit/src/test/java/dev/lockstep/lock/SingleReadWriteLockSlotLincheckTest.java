package dev.lockstep.lock;

import static dev.lockstep.lock.KeyedLockLincheckTest.FOREVER;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck for the reader slots of {@link SingleReadWriteLock} (a lock without statistics: handle
 * reads take a slot while the slots are on). {@link SingleReadWriteLockLincheckTest}'s writers make
 * one increment, which a reader overlapping a writer reads whole either way: its counter cannot see
 * a reader and a writer holding at once. Here a write is two increments, so a read that overlaps a
 * write returns an odd count, which no sequential history gives.
 *
 * <p>Shown to fail once each by editing {@code SingleReadWriteLock}: {@link
 * #readersNeverOverlapAWrite} with the slot reader's second look at the word (after its slot's CAS)
 * dropped ("Invalid execution results": a read returned an odd count); {@link
 * #aTryWriteMeetingASlotReadNeverFailsATryRead} on the code of {@code bd66b3f}, whose writer shut
 * the slots with a bare WRITER: a try read that looked at the word before that writer gave WRITER
 * up for DRAIN returned empty although only readers held and nobody waited.
 */
class SingleReadWriteLockSlotLincheckTest {

  @Test
  void readersNeverOverlapAWrite() {
    new ModelCheckingOptions()
        .iterations(8)
        .invocationsPerIteration(200)
        .threads(2)
        .actorsPerThread(2)
        .sequentialSpecification(Evens.class)
        .check(TwoStepWrites.class);
  }

  @Test
  void aTryWriteMeetingASlotReadNeverFailsATryRead() {
    new ModelCheckingOptions()
        .iterations(4)
        .invocationsPerIteration(200)
        .threads(2)
        .actorsPerThread(2)
        .sequentialSpecification(ReadHeld.class)
        .check(TriesBesideASlotRead.class);
  }

  /** Writes in two steps (odd in between); reads mostly on the slot path. */
  public static final class TwoStepWrites {
    private final ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("lincheck-slots"));
    private int count;

    @Operation
    public int write() throws InterruptedException {
      return bump(lock.acquireWrite(FOREVER));
    }

    @Operation
    public int writeIfFree() throws InterruptedException {
      LockHandle h = lock.tryAcquireWrite().orElse(null);
      return bump(h != null ? h : lock.acquireWrite(FOREVER));
    }

    /** Shuts the slots under the queue lock ({@code enter}), not on the fast path. */
    @Operation
    public int writeAsync() {
      return bump(lock.acquireWriteAsync(FOREVER).join());
    }

    /** The downgraded read is counted in the word; the slots come back after it. */
    @Operation
    public int writeThenRead() throws InterruptedException {
      LockHandle h = lock.acquireWrite(FOREVER);
      count++;
      count++;
      return under(h.downgrade(), 0);
    }

    @Operation
    public int read() throws InterruptedException {
      return read(lock.acquireRead(FOREVER));
    }

    @Operation
    public int readIfFree() throws InterruptedException {
      LockHandle h = lock.tryAcquireRead().orElse(null);
      return read(h != null ? h : lock.acquireRead(FOREVER));
    }

    private int bump(LockHandle h) {
      return under(h, 2);
    }

    private int read(LockHandle h) {
      return under(h, 0);
    }

    /** Moves the count by {@code by}, one step at a time, under {@code h}; then closes it. */
    private int under(LockHandle h, int by) {
      try {
        for (int i = 0; i < by; i++) {
          count++;
        }
        return count;
      } finally {
        h.close();
      }
    }

    @Validate
    public void idleAfterwards() {
      SingleReadWriteLockTest.assertIdle(lock);
    }
  }

  /** The sequential specification of {@link TwoStepWrites}: a counter that moves by two. */
  public static final class Evens {
    private int count;

    public int write() {
      return count += 2;
    }

    public int writeIfFree() {
      return write();
    }

    public int writeAsync() {
      return write();
    }

    public int writeThenRead() {
      return write();
    }

    public int read() {
      return count;
    }

    public int readIfFree() {
      return read();
    }
  }

  /**
   * A slot read held throughout (taken when the scenario is made); try writes, which must fail, and
   * try reads, which must succeed: nobody ever holds the write lock or waits.
   */
  public static final class TriesBesideASlotRead {
    private final ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("lincheck-tries"));
    private final LockHandle held;

    public TriesBesideASlotRead() throws InterruptedException {
      held = lock.acquireRead(FOREVER);
      if (!(held instanceof RwSlotRead)) {
        throw new IllegalStateException("not on the slot path: " + held);
      }
    }

    @Operation
    public boolean tryRead() {
      return lock.tryAcquireRead().map(SingleReadWriteLockSlotLincheckTest::closed).orElse(false);
    }

    @Operation
    public boolean tryWrite() {
      return lock.tryAcquireWrite().map(SingleReadWriteLockSlotLincheckTest::closed).orElse(false);
    }

    @Validate
    public void idleOnceTheReadLeaves() {
      held.close();
      SingleReadWriteLockTest.assertIdle(lock);
    }
  }

  /** The sequential specification of {@link TriesBesideASlotRead}: a read is held throughout. */
  public static final class ReadHeld {
    public boolean tryRead() {
      return true;
    }

    public boolean tryWrite() {
      return false;
    }
  }

  private static boolean closed(LockHandle h) {
    h.close();
    return true;
  }
}
