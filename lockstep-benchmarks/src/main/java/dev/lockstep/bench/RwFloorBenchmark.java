package dev.lockstep.bench;

import dev.lockstep.lock.LockHandle;
import dev.lockstep.lock.LockedCall;
import dev.lockstep.lock.ReadWriteLock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Not a suite: the floor of an uncontended read hold with Lockstep's handle contract and with a
 * scoped read, beside fair {@link ReentrantReadWriteLock} and Lockstep's {@link ReadWriteLock}
 * (both ways), in one run. The floor is the least any lock can do that returns a handle which any
 * thread may close exactly once: allocate the handle, one compare-and-set to enter, and to leave
 * the handle's compare-and-set (exactly once) plus an add on the lock word; it does no fairness, no
 * queue, no ownership check. The scoped floor ({@link #scopedFloor}) is the least a read that runs
 * a body under the lock and returns no handle can do: one compare-and-set and the thread's read
 * count (a thread-local cached for the last reader, as Lockstep's) in, the count and an add on the
 * lock word out. Two relaxed floors, which no lock could offer as a contract, take the handle floor
 * apart: {@link #floorReused} without its allocation, {@link #floorNoCas} without its exactly-once
 * compare-and-set. Two visible-reader floors (BRAVO's reader slots, one small table per lock) make
 * the slot's own compare-and-set the exactly-once decision: {@link #slotReader} (the handle stored
 * in the slot) and {@link #slotStamp} (an odd stamp in a {@code long} slot). Session 14,
 * 11:31-11:40 UTC, 3 + 2 alternating single-fork runs ({@code -wi 6 -i 4 -bm avgt}), ns per read:
 * rrwlFair 13.6-14.8, scoped 13.4-14.7, floor 21.4-22.5, handle 22-25, slotReader 21.3-22.5 (±3-8:
 * G1's post-write barrier on the reference store into the old table), slotStamp 15.4-15.8
 * (±1.2-1.5). Run it with {@code java -cp lockstep-benchmarks/target/lockstep-benchmarks.jar
 * org.openjdk.jmh.Main RwFloorBenchmark}; figures in {@code docs/benchmarks.md}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 2,
    jvmArgs = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RwFloorBenchmark {
  private static final VarHandle WORD;
  private static final VarHandle HANDLE_STATE;
  private static final VarHandle REF_SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
  private static final VarHandle STAMP_SLOT = MethodHandles.arrayElementVarHandle(long[].class);

  /** Slots of the visible-reader floors; each slot alone on 128 bytes (no false sharing). */
  private static final int SLOTS = 8;

  private static final int STRIDE = 16;
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      WORD = l.findVarHandle(RwFloorBenchmark.class, "word", long.class);
      HANDLE_STATE = l.findVarHandle(Handle.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The floor's handle: as large as Lockstep's (32 bytes), closed exactly once by a CAS. */
  static final class Handle implements AutoCloseable {
    final RwFloorBenchmark lock;
    final Object owner;

    @SuppressWarnings("unused") // accessed through HANDLE_STATE
    private volatile int state;

    @SuppressWarnings("unused") // pads the handle to Lockstep's size
    private Object spare;

    Handle(RwFloorBenchmark lock, Object owner) {
      this.lock = lock;
      this.owner = owner;
      HANDLE_STATE.set(this, 1);
    }

    /** Closes without the exactly-once CAS, for {@link #floorNoCas}. */
    void closePlain() {
      if ((int) HANDLE_STATE.getAcquire(this) == 1) {
        HANDLE_STATE.setRelease(this, 2);
        WORD.getAndAdd(lock, -1L);
      }
    }

    @Override
    public void close() {
      if (HANDLE_STATE.compareAndSet(this, 1, 2)) {
        WORD.getAndAdd(lock, -1L);
      }
    }
  }

  /**
   * The visible-reader floors' handle: as large as Lockstep's (32 bytes); it knows its slot (and,
   * for {@link #slotStamp}, the stamp it wrote there). Close is the slot's CAS back: a second close
   * finds the slot empty or taken by another hold and does nothing.
   */
  static final class SlotHandle implements AutoCloseable {
    final RwFloorBenchmark lock;
    final Object owner;
    final int slot;
    final long stamp;

    SlotHandle(RwFloorBenchmark lock, Object owner, int slot, long stamp) {
      this.lock = lock;
      this.owner = owner;
      this.slot = slot;
      this.stamp = stamp;
    }

    @Override
    public void close() {
      RwFloorBenchmark l = lock;
      if (stamp == 0
          ? REF_SLOT.compareAndSet(l.refSlots, slot, this, null)
          : STAMP_SLOT.compareAndSet(l.stampSlots, slot, stamp, stamp + 1)) {
        if ((l.word & WRITER_WAITS) != 0) { // a writer waits for the slots: wake it
          l.wakes++;
        }
      }
    }
  }

  /** A bit of {@link #word} that no floor sets: a writer waiting for visible readers. */
  static final long WRITER_WAITS = 1L << 62;

  /** The object slots of {@link #slotReader}: null or the handle of a read hold. */
  final Object[] refSlots = new Object[SLOTS * STRIDE];

  /** The stamp slots of {@link #slotStamp}: odd while a read holds it; every change adds one. */
  final long[] stampSlots = new long[SLOTS * STRIDE];

  /** Counts wake-ups (never, here): the close's check of the word must not be dropped. */
  int wakes;

  private static int slotOf(Thread t) {
    return (int) ((t.threadId() * 0x9E3779B97F4A7C15L) >>> 61) * STRIDE;
  }

  @CompilerControl(CompilerControl.Mode.DONT_INLINE) // as a real lock's acquire would be
  SlotHandle enterRefSlot() {
    Thread me = Thread.currentThread();
    if ((word & WRITER_WAITS) == 0) {
      int i = slotOf(me);
      SlotHandle h = new SlotHandle(this, me, i, 0);
      if (REF_SLOT.compareAndSet(refSlots, i, null, h)) {
        if ((word & WRITER_WAITS) == 0) { // the CAS was the StoreLoad: a writer sees h or we see it
          return h;
        }
        REF_SLOT.setVolatile(refSlots, i, null);
      }
    }
    throw new IllegalStateException("no writer in a floor");
  }

  @CompilerControl(CompilerControl.Mode.DONT_INLINE) // as a real lock's acquire would be
  SlotHandle enterStampSlot() {
    Thread me = Thread.currentThread();
    if ((word & WRITER_WAITS) == 0) {
      int i = slotOf(me);
      long v = (long) STAMP_SLOT.getVolatile(stampSlots, i);
      if ((v & 1) == 0 && STAMP_SLOT.compareAndSet(stampSlots, i, v, v + 1)) {
        if ((word & WRITER_WAITS) == 0) {
          return new SlotHandle(this, me, i, v + 1);
        }
        STAMP_SLOT.setVolatile(stampSlots, i, v + 2);
      }
    }
    throw new IllegalStateException("no writer in a floor");
  }

  /**
   * Visible reader, handle in the slot (BRAVO's table, per lock): check the word, allocate the
   * handle, CAS it into this thread's slot, check the word again; close is the slot's CAS back to
   * null (the exactly-once decision) and a look at the word for a waiting writer. No owner record.
   */
  @Benchmark
  public long slotReader() {
    SlotHandle h = enterRefSlot();
    try {
      return value;
    } finally {
      h.close();
    }
  }

  /**
   * Visible reader, stamp in the slot: as {@link #slotReader} but the slot is a long that a read
   * makes odd (v → v+1) and its close even (v+1 → v+2), so no reference is stored in the (old)
   * table and G1's post-write barrier is not paid; the handle keeps the stamp.
   */
  @Benchmark
  public long slotStamp() {
    SlotHandle h = enterStampSlot();
    try {
      return value;
    } finally {
      h.close();
    }
  }

  /** The scoped floor's per-thread read count, as Lockstep's {@code ReadOwners.Chain}. */
  static final class Count {
    final long tid;
    int opened;

    Count(long tid) {
      this.tid = tid;
    }
  }

  @SuppressWarnings("unused") // accessed through WORD
  private volatile long word;

  private final ThreadLocal<Count> counts =
      ThreadLocal.withInitial(() -> new Count(Thread.currentThread().threadId()));

  /** The last reader's count, cached as Lockstep's {@code ReadOwners} does. */
  private Count last;

  long value;
  private final LockedCall<Long, RuntimeException> readValue = () -> value;
  final ReentrantReadWriteLock fair = new ReentrantReadWriteLock(true);
  final ReadWriteLock lockstep = ReadWriteLock.create();

  @CompilerControl(CompilerControl.Mode.DONT_INLINE) // as a real lock's acquire would be
  Handle enter() {
    long s = word;
    while (!WORD.weakCompareAndSet(this, s, s + 1)) {
      s = word;
    }
    return new Handle(this, Thread.currentThread());
  }

  @CompilerControl(CompilerControl.Mode.DONT_INLINE) // as a real lock's acquire would be
  Count enterScoped() {
    Count c = last;
    if (c == null || c.tid != Thread.currentThread().threadId()) {
      c = counts.get();
      last = c;
    }
    long s = word;
    while (!WORD.weakCompareAndSet(this, s, s + 1)) {
      s = word;
    }
    c.opened++;
    return c;
  }

  /** A scoped read at its floor: CAS in and count, run the body, count down and add out. */
  <T> T scoped(LockedCall<T, RuntimeException> body) {
    Count c = enterScoped();
    try {
      return body.call();
    } finally {
      c.opened--;
      WORD.getAndAdd(this, -1L);
    }
  }

  /**
   * The floor of a scoped read (no handle): one CAS and the thread's read count in, the count and
   * an add out.
   */
  @Benchmark
  public long scopedFloor() {
    return scoped(readValue);
  }

  /** The floor: allocate, CAS in, CAS + add out. */
  @Benchmark
  public long floor() {
    Handle h = enter();
    try {
      return value;
    } finally {
      h.close();
    }
  }

  /**
   * The floor without its allocation: one handle per thread, reset and reused (so a stale handle's
   * second close would close the next hold: not a contract any lock could offer). What the handle's
   * 32 bytes cost, against {@link #floor}.
   */
  @Benchmark
  public long floorReused() {
    Handle h = reuse();
    try {
      return value;
    } finally {
      h.close();
    }
  }

  /** This thread's handle for {@link #floorReused} (the state is per thread). */
  private Handle reused;

  @CompilerControl(CompilerControl.Mode.DONT_INLINE) // as a real lock's acquire would be
  Handle reuse() {
    long s = word;
    while (!WORD.weakCompareAndSet(this, s, s + 1)) {
      s = word;
    }
    Handle h = reused;
    if (h == null) {
      h = new Handle(this, Thread.currentThread());
      reused = h;
    } else {
      HANDLE_STATE.setRelease(h, 1);
    }
    return h;
  }

  /**
   * The floor without the handle's compare-and-set: allocated, closed by a plain check and write
   * (so two threads closing one handle at once could both release: not exactly once). What the
   * exactly-once CAS costs, against {@link #floor}.
   */
  @Benchmark
  public long floorNoCas() {
    Handle h = enter();
    try {
      return value;
    } finally {
      h.closePlain();
    }
  }

  /** Fair {@link ReentrantReadWriteLock}: the target's peer. */
  @Benchmark
  public long rrwlFair() {
    fair.readLock().lock();
    try {
      return value;
    } finally {
      fair.readLock().unlock();
    }
  }

  /** Lockstep's {@link ReadWriteLock}, scoped read ({@link ReadWriteLock#read}: no handle). */
  @Benchmark
  public long scoped() throws InterruptedException {
    return lockstep.read(TIMEOUT, readValue);
  }

  /** Lockstep's {@link ReadWriteLock}, handle read. */
  @Benchmark
  public long lockstep() throws InterruptedException {
    LockHandle h = lockstep.acquireRead(TIMEOUT);
    try {
      return value;
    } finally {
      h.close();
    }
  }
}
