package dev.lockstep.testkit;

import dev.lockstep.lock.LockMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records when threads were inside critical sections, per key, on one global sequence.
 *
 * <p>Open a {@link Section} right after the lock is granted and close it right before releasing:
 *
 * <pre>{@code
 * try (LockHandle h = lock.acquire(key, timeout)) {
 *   IntervalRecorder.Section s = recorder.enter(key);
 *   try {
 *     // the guarded work
 *   } finally {
 *     s.close();
 *   }
 * }
 * recorder.assertNoOverlap();
 * }</pre>
 *
 * Or let {@link #record(Object, LockMode, Runnable)} do the bracketing.
 *
 * <h2>Guarantees</h2>
 *
 * Entry and exit each take the next number of one strictly increasing sequence shared by all
 * threads. Because the entry is taken after the grant and the exit before the release, a correct
 * lock orders one holder's exit before the next holder's entry; an overlap of recorded intervals is
 * therefore proof that two holders were inside at once, not a timing artefact. The converse does
 * not hold: a broken lock may go unnoticed if its overlapping holders happened not to interleave.
 * Make sections long enough to interleave (a {@link Thread#yield()} inside helps).
 *
 * <h2>Threading</h2>
 *
 * {@link #enter}, {@link Section#close()} and the queries may be called from any number of threads
 * at once (lock-free; one atomic increment per event). Queries see the sections closed so far.
 */
public final class IntervalRecorder {
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentLinkedQueue<Interval> closed = new ConcurrentLinkedQueue<>();

  /** An empty recorder. */
  public IntervalRecorder() {}

  /** Opens an exclusive section for the key. Equivalent to {@code enter(key, EXCLUSIVE)}. */
  public Section enter(Object key) {
    return enter(key, LockMode.EXCLUSIVE);
  }

  /**
   * Opens a section for the key in the given mode ({@link LockMode#SHARED} for a read hold).
   *
   * @throws NullPointerException if the key or mode is null
   */
  public Section enter(Object key, LockMode mode) {
    Objects.requireNonNull(key, "key must not be null");
    Objects.requireNonNull(mode, "mode must not be null");
    open.incrementAndGet();
    return new Section(key, mode, sequence.incrementAndGet());
  }

  /**
   * Runs {@code work} inside a section for the key: enters, runs, and exits even if the work
   * throws. Call it while holding the lock.
   */
  public void record(Object key, LockMode mode, Runnable work) {
    Objects.requireNonNull(work, "work must not be null");
    Section s = enter(key, mode);
    try {
      work.run();
    } finally {
      s.close();
    }
  }

  /** The sections closed so far, in no particular order (a copy). */
  public List<Interval> intervals() {
    return List.copyOf(closed);
  }

  /** How many sections were entered and not yet closed. */
  public int openSections() {
    return open.get();
  }

  /** Checks the recorded sections against read-write rules, taking their modes into account. */
  public ExclusionVerdict verdict() {
    return ExclusionChecker.readWrite(intervals());
  }

  /**
   * Asserts that no two sections of one key overlapped, whatever their modes.
   *
   * @throws AssertionError naming the first overlapping pair (key, modes, sequence numbers and
   *     threads of both)
   */
  public void assertNoOverlap() {
    ExclusionChecker.mutualExclusion(intervals()).orThrow();
  }

  /**
   * Asserts that per key no writer overlapped another section and no reader overlapped a writer.
   *
   * @throws AssertionError naming the first conflicting pair
   */
  public void assertReadWriteExclusion() {
    verdict().orThrow();
  }

  /**
   * How many sections were entered while a section of a different key was open: evidence that
   * different keys ran concurrently (zero for a lock that serializes all keys, or for a run that
   * never interleaved).
   */
  public long overlapsAcrossKeys() {
    return sweep().acrossKeys;
  }

  /** The most distinct keys that had an open section at the same time. */
  public int peakConcurrentKeys() {
    return sweep().peakKeys;
  }

  private record Sweep(long acrossKeys, int peakKeys) {}

  private Sweep sweep() {
    List<Interval> all = new ArrayList<>(closed);
    int n = all.size();
    // One event per entry and per exit; encode (sequence, index, isEntry) to sort primitives.
    long[] events = new long[2 * n];
    for (int i = 0; i < n; i++) {
      Interval x = all.get(i);
      events[2 * i] = encode(x.enter(), i, true);
      events[2 * i + 1] = encode(x.exit(), i, false);
    }
    Arrays.sort(events);
    Map<Object, Integer> openPerKey = new HashMap<>();
    long across = 0;
    int peak = 0;
    for (long ev : events) {
      boolean entry = (ev & 1) == 1;
      Object key = all.get((int) ((ev >>> 1) & INDEX_MASK)).key();
      if (entry) {
        int mine = openPerKey.getOrDefault(key, 0);
        int others = openPerKey.size() - (mine > 0 ? 1 : 0);
        if (others > 0) {
          across++;
        }
        openPerKey.put(key, mine + 1);
        peak = Math.max(peak, openPerKey.size());
      } else {
        openPerKey.computeIfPresent(key, (k, c) -> c == 1 ? null : c - 1);
      }
    }
    return new Sweep(across, peak);
  }

  private static final int INDEX_BITS = 31;
  private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;

  private static long encode(long seq, int index, boolean entry) {
    // Sequence numbers are unique, so their order decides; index and kind ride in the low bits.
    if (seq >= 1L << (63 - INDEX_BITS - 1)) {
      throw new IllegalStateException("sequence too large to sweep: " + seq);
    }
    return (seq << (INDEX_BITS + 1)) | ((long) index << 1) | (entry ? 1 : 0);
  }

  @Override
  public String toString() {
    return "IntervalRecorder[closed=" + closed.size() + ", open=" + open.get() + "]";
  }

  /**
   * One open critical section; {@link #close()} records its exit. Closing twice records once. Close
   * it on any thread (normally the one that entered).
   */
  public final class Section implements AutoCloseable {
    private final Object key;
    private final LockMode mode;
    private final long enter;
    private final String thread;
    private final AtomicBoolean done = new AtomicBoolean();

    private Section(Object key, LockMode mode, long enter) {
      this.key = key;
      this.mode = mode;
      this.enter = enter;
      this.thread = Thread.currentThread().getName() + "#" + Thread.currentThread().threadId();
    }

    /** The sequence number taken on entry. */
    public long enterSequence() {
      return enter;
    }

    /** Records the exit; a no-op after the first call. */
    @Override
    public void close() {
      if (done.compareAndSet(false, true)) {
        closed.add(new Interval(key, mode, enter, sequence.incrementAndGet(), thread));
        open.decrementAndGet();
      }
    }
  }
}
