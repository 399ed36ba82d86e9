package dev.lockstep.testkit;

import dev.lockstep.lock.KeyedLock;
import dev.lockstep.lock.KeyedReadWriteLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;

/**
 * Drives a lock with many threads at once and reports what happened: a reusable stress test for any
 * {@link KeyedLock} or {@link KeyedReadWriteLock}.
 *
 * <pre>{@code
 * KeyedLock<String> lock = KeyedLock.create();
 * LockStressHarness.of(lock, i -> "user-" + i)
 *     .threads(1_000).threadKind(ThreadKind.VIRTUAL).keys(16).opsPerThread(200)
 *     .run()
 *     .assertClean();
 * }</pre>
 *
 * <h2>What a run does</h2>
 *
 * Every worker waits for a common start, then performs {@link #opsPerThread} operations, each a
 * random {@link StressOp} (from {@link #operations}) on a random key (from {@link #keys}) — and,
 * for a read-write lock, a random mode (writes with probability {@link #writeFraction}). Every hold
 * obtained runs a critical section that is recorded in an {@link IntervalRecorder}, yields {@link
 * #holdYields} times to invite interleaving, and (for writes) increments a plain, non-atomic
 * counter of its key. After all workers finish (or the {@link #deadline} passes) the harness checks
 * the recorded history with {@link ExclusionChecker}, compares the counters with the number of
 * writes, and asks the active-keys callback how many keys the lock still holds.
 *
 * <h2>What it guarantees and what it does not</h2>
 *
 * The findings are facts: an exclusion violation or a lost update is proof that two holders were
 * inside one key at once, and a non-zero active-key count after the run is a retained entry. A
 * clean report is evidence, not proof: interleavings are up to the scheduler; run more threads,
 * fewer keys and more operations to look harder. The harness cannot tell a slow lock from a hung
 * one except by the deadline.
 *
 * <h2>Threading</h2>
 *
 * Configure from one thread; {@link #run()} blocks the calling thread until the run ends and may be
 * called again for another run with the same settings (and a fresh recorder and counters).
 *
 * @param <K> the lock's key type
 */
public final class LockStressHarness<K> {
  private final StressTarget<K> target;
  private final IntFunction<K> keyOf;
  private IntSupplier activeKeys;
  private int threads = 8;
  private ThreadKind threadKind = ThreadKind.PLATFORM;
  private int keys = 4;
  private int opsPerThread = 1_000;
  private StressOp[] operations = StressOp.values();
  private double writeFraction = 0.5;
  private Duration waitTimeout = Duration.ofSeconds(30);
  private Duration shortTimeout = Duration.ofMillis(1);
  private int holdYields = 1;
  private Duration deadline = Duration.ofMinutes(2);
  private long seed = 0x10C5_7E9L;

  private LockStressHarness(StressTarget<K> target, IntFunction<K> keyOf, IntSupplier activeKeys) {
    this.target = target;
    this.keyOf = Objects.requireNonNull(keyOf, "keyOf must not be null");
    this.activeKeys = activeKeys;
  }

  /**
   * A harness for an exclusive keyed lock. Its {@code activeKeys()} is the default active-keys
   * callback.
   *
   * @param keyOf makes key number {@code i} (0 ≤ i &lt; {@link #keys}); distinct numbers must give
   *     distinct keys
   */
  public static <K> LockStressHarness<K> of(KeyedLock<K> lock, IntFunction<K> keyOf) {
    Objects.requireNonNull(lock, "lock must not be null");
    return new LockStressHarness<>(StressTarget.of(lock), keyOf, lock::activeKeys);
  }

  /**
   * A harness for a keyed read-write lock; reads and writes are mixed as {@link #writeFraction}
   * says. Its {@code activeKeys()} is the default active-keys callback.
   */
  public static <K> LockStressHarness<K> of(KeyedReadWriteLock<K> lock, IntFunction<K> keyOf) {
    Objects.requireNonNull(lock, "lock must not be null");
    return new LockStressHarness<>(StressTarget.of(lock), keyOf, lock::activeKeys);
  }

  /** How many worker threads (default 8). */
  public LockStressHarness<K> threads(int threads) {
    this.threads = positive("threads", threads);
    return this;
  }

  /** Platform or virtual worker threads (default platform). */
  public LockStressHarness<K> threadKind(ThreadKind kind) {
    this.threadKind = Objects.requireNonNull(kind, "threadKind must not be null");
    return this;
  }

  /** How many distinct keys the workers share (default 4; fewer keys, more contention). */
  public LockStressHarness<K> keys(int keys) {
    this.keys = positive("keys", keys);
    return this;
  }

  /** How many operations each worker performs (default 1,000). */
  public LockStressHarness<K> opsPerThread(int ops) {
    this.opsPerThread = positive("opsPerThread", ops);
    return this;
  }

  /** The operations to mix, chosen uniformly (default: all of {@link StressOp}). */
  public LockStressHarness<K> operations(StressOp... ops) {
    Objects.requireNonNull(ops, "operations must not be null");
    if (ops.length == 0) {
      throw new IllegalArgumentException("operations must not be empty");
    }
    for (StressOp op : ops) {
      Objects.requireNonNull(op, "operations must not contain null");
    }
    this.operations = ops.clone();
    return this;
  }

  /** For a read-write lock, the probability that an operation writes (default 0.5). */
  public LockStressHarness<K> writeFraction(double fraction) {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("writeFraction must be in [0, 1], was " + fraction);
    }
    this.writeFraction = fraction;
    return this;
  }

  /** The timeout of operations expected to succeed (default 30 s). */
  public LockStressHarness<K> waitTimeout(Duration timeout) {
    this.waitTimeout = nonNegative("waitTimeout", timeout);
    return this;
  }

  /** The timeout of the timed operations, which are meant to run out often (default 1 ms). */
  public LockStressHarness<K> shortTimeout(Duration timeout) {
    this.shortTimeout = nonNegative("shortTimeout", timeout);
    return this;
  }

  /** How many times a critical section yields, to invite interleaving (default 1). */
  public LockStressHarness<K> holdYields(int yields) {
    if (yields < 0) {
      throw new IllegalArgumentException("holdYields must be >= 0, was " + yields);
    }
    this.holdYields = yields;
    return this;
  }

  /** How long the run may take before unfinished threads are reported (default 2 min). */
  public LockStressHarness<K> deadline(Duration deadline) {
    this.deadline = nonNegative("deadline", deadline);
    return this;
  }

  /** The seed of the workers' random choices (the schedule itself is up to the JVM). */
  public LockStressHarness<K> seed(long seed) {
    this.seed = seed;
    return this;
  }

  /**
   * The callback that tells how many keys the lock retains after the run (default: the lock's
   * {@code activeKeys()}); a backend whose cleanup is asynchronous may wait in it.
   */
  public LockStressHarness<K> activeKeys(IntSupplier callback) {
    this.activeKeys = Objects.requireNonNull(callback, "activeKeys callback must not be null");
    return this;
  }

  /**
   * Runs the workers and blocks until they finish or the deadline passes (then interrupts them).
   *
   * @return the report; call {@link StressReport#assertClean()} to fail on any finding
   * @throws InterruptedException if the calling thread is interrupted while waiting for the run
   */
  public StressReport run() throws InterruptedException {
    @SuppressWarnings("unchecked") // an array of K built from keyOf; never exposed as another type
    K[] keyArray = (K[]) new Object[keys];
    for (int i = 0; i < keys; i++) {
      keyArray[i] = Objects.requireNonNull(keyOf.apply(i), "keyOf returned null for " + i);
    }
    int[] counters = new int[keys];
    IntervalRecorder recorder = new IntervalRecorder();
    CountDownLatch start = new CountDownLatch(1);
    StressWorker.Shared<K> shared =
        new StressWorker.Shared<>(
            target,
            keyArray,
            counters,
            recorder,
            operations.clone(),
            opsPerThread,
            writeFraction,
            waitTimeout,
            shortTimeout,
            holdYields,
            start);
    SplittableRandom seeds = new SplittableRandom(seed);
    List<StressWorker<K>> workers = new ArrayList<>(threads);
    Thread[] running = new Thread[threads];
    Thread.Builder builder =
        threadKind == ThreadKind.VIRTUAL
            ? Thread.ofVirtual().name("stress-v-", 0)
            : Thread.ofPlatform().name("stress-p-", 0).daemon(true);
    for (int i = 0; i < threads; i++) {
      StressWorker<K> w = new StressWorker<>(shared, seeds.split());
      workers.add(w);
      running[i] = builder.start(w);
    }
    long t0 = System.nanoTime();
    start.countDown();
    long end = t0 + deadline.toNanos();
    for (Thread t : running) {
      long left = end - System.nanoTime();
      if (left > 0) {
        t.join(Duration.ofNanos(left));
      }
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
    int unfinished = 0;
    for (Thread t : running) {
      if (t.isAlive()) {
        unfinished++;
        t.interrupt();
      }
    }
    for (Thread t : running) {
      t.join(TimeUnit.SECONDS.toMillis(1));
    }
    return report(workers, counters, recorder, unfinished, elapsed);
  }

  private StressReport report(
      List<StressWorker<K>> workers,
      int[] counters,
      IntervalRecorder recorder,
      int unfinished,
      Duration elapsed) {
    long[] attempts = new long[StressOp.values().length];
    long acquired = 0;
    long writes = 0;
    long busy = 0;
    long timedOut = 0;
    long cancelled = 0;
    long interrupted = 0;
    long rejected = 0;
    long errorCount = 0;
    List<Throwable> errors = new ArrayList<>();
    for (StressWorker<K> w : workers) {
      for (int i = 0; i < attempts.length; i++) {
        attempts[i] += w.attempts[i];
      }
      acquired += w.acquired;
      writes += w.writes;
      busy += w.busy;
      timedOut += w.timedOut;
      cancelled += w.cancelled;
      interrupted += w.interrupted;
      rejected += w.rejected;
      errorCount += w.errorCount;
      for (Throwable t : w.errors) {
        if (errors.size() < 5) {
          errors.add(t);
        }
      }
    }
    Map<StressOp, Long> byOp = new EnumMap<>(StressOp.class);
    for (StressOp op : StressOp.values()) {
      if (attempts[op.ordinal()] > 0) {
        byOp.put(op, attempts[op.ordinal()]);
      }
    }
    long counted = 0;
    for (int c : counters) {
      counted += c;
    }
    List<Interval> history = recorder.intervals();
    ExclusionVerdict verdict =
        target.readWrite()
            ? ExclusionChecker.readWrite(history)
            : ExclusionChecker.mutualExclusion(history);
    return new StressReport(
        target.toString(),
        threadKind,
        threads,
        keys,
        seed,
        byOp,
        new StressReport.Outcomes(
            acquired, busy, timedOut, cancelled, interrupted, rejected, errorCount),
        errors,
        verdict,
        writes - counted,
        activeKeys.getAsInt(),
        recorder.openSections(),
        recorder.overlapsAcrossKeys(),
        recorder.peakConcurrentKeys(),
        unfinished,
        elapsed);
  }

  private static int positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, was " + value);
    }
    return value;
  }

  private static Duration nonNegative(String name, Duration d) {
    Objects.requireNonNull(d, name + " must not be null");
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, was " + d);
    }
    return d;
  }
}
