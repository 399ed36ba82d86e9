package dev.lockstep.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Not a suite: the floors of the {@code uncontended} scenario (one thread, one key, acquire and
 * release), beside Lockstep's {@code KeyedLock}, Guava's {@code Striped.lazyWeakLock} and a bare
 * {@code ReentrantLock} through the same {@link KeyedLockImpl} face as {@code LocksBenchmark}, in
 * one run.
 *
 * <p>The floors strip the keyed lock's cycle down to its atomics: {@code twoCas} allocates a
 * 32-byte token (the size of Lockstep's handle) and CASes it into a cell and back out (what any
 * lock pays whose handle is a new object that any thread may close exactly once: the close needs an
 * atomic read-modify-write); {@code twoCasReused} does the same with one token for good (no
 * allocation); {@code casAndStore} releases with a plain release store instead of the second CAS
 * (one atomic fewer: only a lock whose release can never race with another close or a queueing
 * waiter may do this); {@code twoCasKeyed} adds the part of Lockstep's cycle that a keyed lock
 * needs (the key's hash, the slot's cell found through an array on take and release, the checks of
 * interrupt and timeout), and its three variants each leave one piece of that out. {@code
 * stampKeyed} (session 20) models a fast path whose handle is not a new object in the heap: the
 * slot is a counter, odd while held, and the handle names only its cell and its count, so it never
 * escapes and C2 removes its allocation; its two variants drop the key and owner stores, or let the
 * handle escape (which brings the allocation back). The {@code stampEngine}, {@code stampOneClass}
 * and {@code stampMerged} models add a slow path that is not inlined: escape analysis still removes
 * the handle when the slow path is never taken, not when each path makes its own handle and the
 * slow one is taken now and then, and again when one handle is made after the paths merge (see
 * {@code docs/design/stamped-fast-path.md}). Run with {@code java -cp
 * lockstep-benchmarks/target/lockstep-benchmarks.jar org.openjdk.jmh.Main
 * UncontendedFloorBenchmark}; figures in {@code docs/benchmarks.md}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 2,
    jvmArgs = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class UncontendedFloorBenchmark {
  private static final VarHandle VALUE;
  private static final VarHandle STATE;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      VALUE = l.findVarHandle(Cell.class, "value", Object.class);
      STATE = l.findVarHandle(Token.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final Integer KEY = 1_000_500; // boxed once, outside the Integer cache

  /** A slot's cell, as in Lockstep's fast path. */
  static final class Cell {
    volatile Object value;
  }

  /** A handle of Lockstep's size: four references and an int (32 bytes, compressed oops). */
  static final class Token {
    final Object key;
    final Object owner;
    final Object entry;
    Object next;
    volatile int state;

    Token(Object key, Object owner, Object entry) {
      this.key = key;
      this.owner = owner;
      this.entry = entry;
      STATE.set(this, 1);
    }
  }

  /** Renewed every 4,096 cycles, as Lockstep renews a slot's cell, so that it stays young. */
  Cell cell = new Cell();

  int cycles;

  private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(Cell[].class);
  private static final int SLOT_MASK = 2047;
  private static final int HASH_MASK = (1 << 29) - 1;
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  /** The cells of {@code twoCasKeyed}, one per slot as in Lockstep. */
  final Cell[] cells = newCells();

  int takes;

  private static Cell[] newCells() {
    Cell[] a = new Cell[SLOT_MASK + 1];
    for (int i = 0; i < a.length; i++) {
      a[i] = new Cell();
    }
    return a;
  }

  final Token reused = new Token(KEY, Thread.currentThread(), this);
  KeyedLockImpl lockstep;
  KeyedLockImpl lazyWeak;
  KeyedLockImpl reentrantLock;

  @Setup
  public void setUp() {
    lockstep = KeyedLockImpl.create("lockstep");
    lazyWeak = KeyedLockImpl.create("guava-striped-lazyweak");
    reentrantLock = KeyedLockImpl.create("reentrantlock");
  }

  @Benchmark
  public void lockstep() throws InterruptedException {
    lockstep.release(lockstep.acquire(KEY));
  }

  @Benchmark
  public void lazyWeak() throws InterruptedException {
    lazyWeak.release(lazyWeak.acquire(KEY));
  }

  @Benchmark
  public void reentrantLock() throws InterruptedException {
    reentrantLock.release(reentrantLock.acquire(KEY));
  }

  /**
   * The cell to use: a new one every 4,096 cycles (a store of a young token into an old cell would
   * pay G1's post-write barrier in full).
   */
  private Cell cell() {
    if ((++cycles & 4095) == 0) {
      cell = new Cell();
    }
    return cell;
  }

  @Benchmark
  public boolean twoCas() {
    return cycle(new Token(KEY, Thread.currentThread(), this), true);
  }

  @Benchmark
  public boolean twoCasReused() {
    return cycle(reused, true);
  }

  @Benchmark
  public boolean casAndStore() {
    return cycle(new Token(KEY, Thread.currentThread(), this), false);
  }

  /**
   * Takes the cell for {@code t} by CAS and releases it by CAS ({@code casRelease}) or by a release
   * store; the flag is a constant at every call, so the JIT folds it away.
   */
  private boolean cycle(Token t, boolean casRelease) {
    Cell c = cell();
    if (!VALUE.compareAndSet(c, null, t)) {
      return false;
    }
    boolean released = true;
    if (casRelease) {
      released = VALUE.compareAndExchange(c, t, null) == t;
    } else {
      VALUE.setRelease(c, null);
    }
    STATE.setRelease(t, 2);
    return released;
  }

  /**
   * {@code twoCas} with the key's part of Lockstep's cycle: the cell found through an array by the
   * key's mixed hash on take and again on release (from the hash kept in the token), the slot read
   * before its CAS, the take counted, the interrupt and the timeout checked.
   */
  @Benchmark
  public boolean twoCasKeyed() throws InterruptedException {
    return keyed(true, true, true);
  }

  /** {@code twoCasKeyed} without the interrupt and timeout checks. */
  @Benchmark
  public boolean twoCasKeyedNoChecks() throws InterruptedException {
    return keyed(false, true, true);
  }

  /** {@code twoCasKeyed} without the read of the slot before the take's CAS. */
  @Benchmark
  public boolean twoCasKeyedNoPreRead() throws InterruptedException {
    return keyed(true, false, true);
  }

  /** {@code twoCasKeyed} releasing through the take's cell (no second array lookup). */
  @Benchmark
  public boolean twoCasKeyedSameCell() throws InterruptedException {
    return keyed(true, true, false);
  }

  /** The keyed cycle; the flags are constants at every call, so the JIT folds them away. */
  private boolean keyed(boolean checks, boolean preRead, boolean relookup)
      throws InterruptedException {
    if (checks) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      if (TIMEOUT.toNanos() <= 0) {
        return false;
      }
    }
    Integer key = KEY;
    int h = key.hashCode();
    h ^= h >>> 16;
    h *= 0x45d9f3b;
    h = (h ^ (h >>> 16)) & HASH_MASK;
    Cell c = (Cell) CELLS.getAcquire(cells, h & SLOT_MASK);
    if (preRead && VALUE.getAcquire(c) != null) {
      return false;
    }
    Token t = new Token(key, Thread.currentThread(), this);
    STATE.set(t, h << 3 | 1);
    if (!VALUE.compareAndSet(c, null, t)) {
      return false;
    }
    takes++;
    int slot = ((int) STATE.get(t) >>> 3) & SLOT_MASK;
    Cell r = relookup ? (Cell) CELLS.getAcquire(cells, slot) : c;
    boolean released = VALUE.compareAndExchange(r, t, null) == t;
    STATE.setRelease(t, ((int) STATE.get(t) & ~3) | 2);
    if ((takes & 4095) == 0) {
      CELLS.setRelease(cells, slot, new Cell());
    }
    return released;
  }

  static final VarHandle STAMP;

  static {
    try {
      STAMP = MethodHandles.lookup().findVarHandle(StampCell.class, "state", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Model: a slot whose state is a counter, odd while held, even while free. */
  static final class StampCell {
    volatile long state;
    Object key;
    Object owner;
  }

  /** Model: a handle that only names its hold (cell and stamp), so it need not escape. */
  static final class StampHandle {
    final StampCell cell;
    final long stamp;
    final Object key;

    StampHandle(StampCell cell, long stamp, Object key) {
      this.cell = cell;
      this.stamp = stamp;
      this.key = key;
    }

    boolean close() {
      return STAMP.compareAndSet(cell, stamp, stamp + 1);
    }
  }

  final StampCell[] stampCells = newStampCells();

  Object sink;

  private static StampCell[] newStampCells() {
    StampCell[] a = new StampCell[SLOT_MASK + 1];
    for (int i = 0; i < a.length; i++) {
      a[i] = new StampCell();
    }
    return a;
  }

  /**
   * Model of a stamped fast path (session 20): the keyed cycle with the slot's state a counter (odd
   * while held) taken and released by CAS, the key and owner stored after the take, and a handle
   * that only names its hold, so that C2's escape analysis removes it (0 B per cycle).
   */
  @Benchmark
  public boolean stampKeyed() throws InterruptedException {
    StampHandle h = stampTake(KEY, true);
    return h != null && h.close();
  }

  /** {@link #stampKeyed} without the key and owner stores. */
  @Benchmark
  public boolean stampKeyedNoStores() throws InterruptedException {
    StampHandle h = stampTake(KEY, false);
    return h != null && h.close();
  }

  /** {@link #stampKeyed} with the handle stored in a field, so allocated (32 B per cycle). */
  @Benchmark
  public boolean stampKeyedEscaping() throws InterruptedException {
    StampHandle h = stampTake(KEY, true);
    sink = h;
    return h != null && h.close();
  }

  /**
   * The stamp models' common head: the interrupt check and the key's cell by the spread hash, as
   * Lockstep's acquire does them.
   */
  private StampCell stampCell(Integer key) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    int h = key.hashCode();
    h ^= h >>> 16;
    h *= 0x45d9f3b;
    h = (h ^ (h >>> 16)) & HASH_MASK;
    return stampCells[h & SLOT_MASK];
  }

  private StampHandle stampTake(Integer key, boolean stores) throws InterruptedException {
    if (TIMEOUT.toNanos() <= 0) {
      return null;
    }
    StampCell c = stampCell(key);
    long s = (long) STAMP.getAcquire(c);
    if ((s & 1) != 0 || !STAMP.compareAndSet(c, s, s + 1)) {
      return null;
    }
    if (stores) {
      c.key = key;
      c.owner = Thread.currentThread();
    }
    return new StampHandle(c, s + 1, key);
  }

  /** Model: a handle of the stamped cycle. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /** Model: the fast path's own handle class. */
  static final class StampHeld implements Held {
    final StampCell cell;
    final long stamp;
    final Object key;

    StampHeld(StampCell cell, long stamp, Object key) {
      this.cell = cell;
      this.stamp = stamp;
      this.key = key;
    }

    @Override
    public void close() {
      if (!STAMP.compareAndSet(cell, stamp, stamp + 1)) {
        slowClose(this);
      }
    }
  }

  /** Model: the slow path's handle (or, merged, what the handle refers to). */
  static final class TableHeld implements Held {
    final Object key;
    volatile int state = 1;

    TableHeld(Object key) {
      this.key = key;
    }

    @Override
    public void close() {
      slowClose(this);
    }
  }

  static int slowCloses;

  @CompilerControl(CompilerControl.Mode.DONT_INLINE)
  static void slowClose(Object h) {
    slowCloses++;
  }

  @CompilerControl(CompilerControl.Mode.DONT_INLINE)
  static Held slowTake(Object key) {
    return new TableHeld(key);
  }

  int calls;

  private Held engineTake(Integer key, boolean sometimesSlow) throws InterruptedException {
    StampCell c = stampCell(key);
    long s = (long) STAMP.getAcquire(c);
    if ((sometimesSlow && (++calls & 63) == 0)
        || (s & 1) != 0
        || !STAMP.compareAndSet(c, s, s + 1)) {
      return slowTake(key);
    }
    c.key = key;
    return new StampHeld(c, s + 1, key);
  }

  /** Model: the stamped cycle with a slow path that is never taken (so pruned by C2). */
  @Benchmark
  public void stampEngine() throws InterruptedException {
    try (Held h = engineTake(KEY, false)) {
      if (h == sink2) {
        sink2 = null;
      }
    }
  }

  /** Model: the stamped cycle with a slow path taken once in 64 cycles (compiled in). */
  @Benchmark
  public void stampEngineSlowSometimes() throws InterruptedException {
    try (Held h = engineTake(KEY, true)) {
      if (h == sink2) {
        sink2 = null;
      }
    }
  }

  Object sink2;

  /** Model: one handle class for both paths; the slow close gets its fields, not the handle. */
  static final class OneHeld implements Held {
    final Object where;
    final long stamp;
    final Object key;

    OneHeld(Object where, long stamp, Object key) {
      this.where = where;
      this.stamp = stamp;
      this.key = key;
    }

    @Override
    public void close() {
      Object w = where;
      if (!(w instanceof StampCell c && STAMP.compareAndSet(c, stamp, stamp + 1))) {
        slowClose2(w, stamp, key);
      }
    }
  }

  @CompilerControl(CompilerControl.Mode.DONT_INLINE)
  static void slowClose2(Object where, long stamp, Object key) {
    slowCloses++;
  }

  @CompilerControl(CompilerControl.Mode.DONT_INLINE)
  static OneHeld slowTake2(Object key) {
    return new OneHeld(new TableHeld(key), 0, key);
  }

  private OneHeld oneTake(Integer key) throws InterruptedException {
    StampCell c = stampCell(key);
    long s = (long) STAMP.getAcquire(c);
    if ((++calls & 63) == 0 || (s & 1) != 0 || !STAMP.compareAndSet(c, s, s + 1)) {
      return slowTake2(key);
    }
    c.key = key;
    return new OneHeld(c, s + 1, key);
  }

  /** Model: one handle class, a slow path taken once in 64 cycles. */
  @Benchmark
  public void stampOneClassSlowSometimes() throws InterruptedException {
    try (OneHeld h = oneTake(KEY)) {
      if (h == sink2) {
        sink2 = null;
      }
    }
  }

  @CompilerControl(CompilerControl.Mode.DONT_INLINE)
  static Object slowTake3(Object key) {
    return new TableHeld(key);
  }

  private OneHeld oneTakeMerged(Integer key) throws InterruptedException {
    StampCell c = stampCell(key);
    long s = (long) STAMP.getAcquire(c);
    Object where;
    long stamp;
    if ((++calls & 63) == 0 || (s & 1) != 0 || !STAMP.compareAndSet(c, s, s + 1)) {
      where = slowTake3(key);
      stamp = 0;
    } else {
      c.key = key;
      where = c;
      stamp = s + 1;
    }
    return new OneHeld(where, stamp, key);
  }

  /** Model: one handle allocated after the paths merge; a slow path once in 64 cycles. */
  @Benchmark
  public void stampMergedSlowSometimes() throws InterruptedException {
    try (OneHeld h = oneTakeMerged(KEY)) {
      if (h == sink2) {
        sink2 = null;
      }
    }
  }
}
