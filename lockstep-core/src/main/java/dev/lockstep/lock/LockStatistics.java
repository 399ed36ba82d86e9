package dev.lockstep.lock;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * The recorder a registry gives each of its locks when statistics are on: counters, wait and hold
 * histograms (HdrHistogram, 3 significant digits, bounded memory), a ring buffer of recent
 * operations, and JFR events.
 */
final class LockStatistics implements LockRecorder {
  private final LongAdder acquisitions = new LongAdder();
  private final LongAdder releases = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder rejections = new LongAdder();
  private final LongAdder cancellations = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder contended = new LongAdder();

  /**
   * Wait and hold times (ns), each guarded by its own monitor. Not HdrHistogram's {@code Recorder}:
   * its reader waits for every writer inside {@code recordValue} to leave, and a writer that met a
   * {@link StackOverflowError} in there never does, so every later snapshot hung (seen in {@code
   * StackDepthScanTest.registryLocks}); a monitor is released however its block ends.
   */
  private final Histogram waits = new Histogram(3);

  private final Histogram holds = new Histogram(3);

  /**
   * The recent operations: operation {@code i} goes to slot {@code i % length}, tagged with {@code
   * i}, so that a reader can tell a slot whose writer has not stored yet (an older lap's record) or
   * has already been lapped (a newer one) from the record it wants.
   */
  private final AtomicReferenceArray<Recent> ring;

  private final AtomicLong ringNext = new AtomicLong();
  private final long longHoldNanos;

  LockStatistics(int recentOperations, long longHoldNanos) {
    this.ring = new AtomicReferenceArray<>(recentOperations);
    this.longHoldNanos = longHoldNanos;
  }

  @Override
  public void acquired(
      String lock, Object key, LockMode mode, long waitNanos, boolean wasContended) {
    acquisitions.increment();
    record(waits, waitNanos);
    if (wasContended) {
      contended.increment();
      LockEvents.contended(lock, key, mode, waitNanos);
    }
    remember("acquired", key, waitNanos, mode.name());
  }

  @Override
  public void released(String lock, Object key, long holdNanos) {
    releases.increment();
    record(holds, holdNanos);
    if (holdNanos > longHoldNanos) {
      LockEvents.longHold(lock, key, holdNanos);
    }
    remember("released", key, holdNanos, null);
  }

  @Override
  public void timedOut(String lock, Object key, long waitNanos) {
    timeouts.increment();
    remember("timeout", key, waitNanos, null);
  }

  @Override
  public void rejected(String lock, Object key, String reason) {
    rejections.increment();
    remember("rejected", key, 0, reason);
  }

  @Override
  public void cancelled(String lock, Object key, long waitNanos) {
    cancellations.increment();
    remember("cancelled", key, waitNanos, null);
  }

  @Override
  public void error(String lock, Object key, LockException error) {
    errors.increment();
    remember("error", key, 0, error.getMessage());
  }

  /** One slot of the ring: operation number {@code seq} and its record. */
  private record Recent(long seq, OperationRecord op) {}

  private void remember(String op, Object key, long nanos, String detail) {
    long i = ringNext.getAndIncrement();
    Recent mine =
        new Recent(
            i,
            new OperationRecord(
                Instant.now(),
                op,
                WatchedLockRegistry.keyText(key),
                Thread.currentThread().getName(),
                nanos / 1000.0,
                detail));
    int slot = (int) (i % ring.length());
    // A slot only moves forward: a thread that stalled between numbering its operation and storing
    // it must not overwrite a newer lap's record (the newest operations would then be missing).
    for (Recent there = ring.getAcquire(slot); there == null || there.seq() < i; ) {
      Recent witness = ring.compareAndExchangeRelease(slot, there, mine);
      if (witness == there) {
        return;
      }
      there = witness;
    }
  }

  LockCounters counters() {
    return new LockCounters(
        acquisitions.sum(),
        releases.sum(),
        timeouts.sum(),
        rejections.sum(),
        cancellations.sum(),
        errors.sum(),
        contended.sum());
  }

  private static void record(Histogram h, long nanos) {
    synchronized (h) {
      h.recordValue(Math.max(0, nanos));
    }
  }

  LatencySummary waitTime() {
    synchronized (waits) {
      return LatencySummary.of(waits);
    }
  }

  LatencySummary holdTime() {
    synchronized (holds) {
      return LatencySummary.of(holds);
    }
  }

  /**
   * The last {@code recentOperations} operations, oldest first (by {@link OperationRecord#at()},
   * then by the order they were numbered in). Operations still being stored by their threads, and
   * slots already overwritten by newer ones while this reads, are left out rather than shown out of
   * place.
   */
  List<OperationRecord> recent() {
    int length = ring.length();
    long end = ringNext.get();
    long start = Math.max(0, end - length);
    List<Recent> found = new ArrayList<>(length);
    for (long i = start; i < end; i++) {
      Recent r = ring.getAcquire((int) (i % length));
      if (r != null && r.seq() == i) {
        found.add(r);
      }
    }
    // Two threads may number their operations in one order and read the clock in the other.
    found.sort(Comparator.comparing((Recent r) -> r.op().at()).thenComparingLong(Recent::seq));
    List<OperationRecord> out = new ArrayList<>(found.size());
    for (Recent r : found) {
      out.add(r.op());
    }
    return out;
  }
}
