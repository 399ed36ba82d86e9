package dev.lockstep.lock;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

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
  private final Recorder waits = new Recorder(3);
  private final Recorder holds = new Recorder(3);
  private final Histogram waitTotal = new Histogram(3);
  private final Histogram holdTotal = new Histogram(3);
  private final OperationRecord[] ring;
  private final AtomicLong ringNext = new AtomicLong();
  private final long longHoldNanos;

  LockStatistics(int recentOperations, long longHoldNanos) {
    this.ring = new OperationRecord[recentOperations];
    this.longHoldNanos = longHoldNanos;
  }

  @Override
  public void acquired(
      String lock, Object key, LockMode mode, long waitNanos, boolean wasContended) {
    acquisitions.increment();
    waits.recordValue(Math.max(0, waitNanos));
    if (wasContended) {
      contended.increment();
      LockEvents.contended(lock, key, mode, waitNanos);
    }
    remember("acquired", key, waitNanos, mode.name());
  }

  @Override
  public void released(String lock, Object key, long holdNanos) {
    releases.increment();
    holds.recordValue(Math.max(0, holdNanos));
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

  private void remember(String op, Object key, long nanos, String detail) {
    long i = ringNext.getAndIncrement();
    ring[(int) (i % ring.length)] =
        new OperationRecord(
            Instant.now(),
            op,
            String.valueOf(key),
            Thread.currentThread().getName(),
            nanos / 1000.0,
            detail);
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

  synchronized LatencySummary waitTime() {
    waitTotal.add(waits.getIntervalHistogram());
    return LatencySummary.of(waitTotal);
  }

  synchronized LatencySummary holdTime() {
    holdTotal.add(holds.getIntervalHistogram());
    return LatencySummary.of(holdTotal);
  }

  List<OperationRecord> recent() {
    long end = ringNext.get();
    long start = Math.max(0, end - ring.length);
    List<OperationRecord> out = new ArrayList<>(ring.length);
    for (long i = start; i < end; i++) {
      OperationRecord r = ring[(int) (i % ring.length)];
      if (r != null) {
        out.add(r);
      }
    }
    return out;
  }
}
