package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The switch of {@link SingleReadWriteLock}'s reader slots: on for a lock whose recorder records
 * nothing, off for one that records (a slot read reports nothing to the recorder), whatever the
 * lock went through before. Shown to fail once with {@code fast()} taking the slot path whatever
 * {@code recording} says: the recorded lock's read was an {@link RwSlotRead}.
 */
class SingleReadWriteLockSlotSwitchTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void aLockWithoutStatisticsReadsInASlot() throws Exception {
    ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("noop"));
    cycle(lock);
    try (LockHandle r = lock.acquireRead(LONG)) {
      assertInstanceOf(RwSlotRead.class, r);
    }
    assertTrue(((SingleReadWriteLock) lock).idle());
  }

  @Test
  void aLockWithStatisticsNeverTakesASlot() throws Exception {
    LockStatistics stats = new LockStatistics(16, Long.MAX_VALUE); // as a registry makes it
    for (LockRecorder recorder : new LockRecorder[] {stats, new LockRecorder() {}}) {
      ReadWriteLock lock = ReadWriteLock.create(LockOptions.named("rec").withRecorder(recorder));
      for (int i = 0; i < 3; i++) {
        cycle(lock);
        try (LockHandle r = lock.acquireRead(LONG)) {
          assertFalse(r instanceof RwSlotRead, "a recorded read took a slot: " + recorder);
        }
        LockHandle t = lock.tryAcquireRead().orElseThrow();
        assertFalse(t instanceof RwSlotRead, "a recorded try read took a slot: " + recorder);
        t.close();
      }
      assertTrue(((SingleReadWriteLock) lock).idle());
    }
  }

  /** Reads, writes, downgrades and scoped reads: whatever can turn the slots on or off. */
  private static void cycle(ReadWriteLock lock) throws Exception {
    lock.acquireRead(LONG).close();
    lock.acquireWrite(LONG).close();
    lock.acquireWrite(LONG).downgrade().close();
    lock.read(LONG, () -> null);
    lock.tryAcquireWrite().orElseThrow().close();
  }
}
