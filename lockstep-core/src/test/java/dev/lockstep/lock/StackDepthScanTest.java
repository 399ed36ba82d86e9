package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * No lock is left held by nobody when an acquire or a close throws a {@link StackOverflowError}
 * halfway (any call can meet the end of the stack). On a thread with a small stack, each case
 * recurses to just above the stack's end and then, one frame deeper at a time, runs an acquire (or
 * a close) until the error is thrown inside the lock at every depth from where it first hits inside
 * the lock's code to where it stops (at the lock's entry). After each step the lock must be as free
 * as before (no hold, no odd reader slot, no retained key); a close that threw is retried at full
 * depth, as a caller unwinding would, and must then release. After the scan, a fresh thread must
 * take the write lock at once.
 *
 * <p>Shown to fail on main's code before the fix (session 16), five of seven cases: a slot read
 * left its slot odd when {@code new RwSlotRead} threw after the slot's CAS; a recorded word read
 * ({@code heldReader}) left its count in the word; the keyed read-write table path inserted the
 * key's entry before the node's {@code status} call threw (a retained key); a registry lock's
 * statistics recorder threw after the grant; a recorded keyed close threw in {@code retire} after
 * marking its node released (a retained key). Each as "after ... at offset N, the lock is not
 * free".
 */
class StackDepthScanTest {
  private static final Duration LONG = Duration.ofSeconds(2);
  private static final String KEY = "k";
  private static final int STACK = 256 << 10;

  /** Scans per case: the first run mostly interpreted, later ones compiled. */
  private static final int ROUNDS = 4;

  /** Frames of {@link #deep} scanned below the base; the acquire path needs fewer. */
  private static final int WIDTH = 1_500;

  /** One acquisition: returns a handle, an {@code Optional} of one, or a future of one. */
  @FunctionalInterface
  interface Acquire {
    Object get() throws Exception;
  }

  /** A lock under test: how to take it each way, and whether it is free. */
  record Case(
      String name, List<Named> acquires, BooleanSupplier free, Supplier<Boolean> freshTry) {}

  record Named(String name, Acquire acquire) {}

  static volatile int sink;

  private static final Acquire[] WARM = {() -> null, () -> sink, () -> KEY};

  /** Recurses {@code d} frames, then runs the acquire. */
  static Object deep(int d, Acquire a) throws Exception {
    calls++;
    if (d > 0) {
      Object r = deep(d - 1, a);
      sink = d;
      return r;
    }
    return a.get();
  }

  /** Recurses {@code d} frames, then closes the handle. */
  static void deepClose(int d, LockHandle h) {
    if (d > 0) {
      deepClose(d - 1, h);
      sink = d;
      return;
    }
    h.close();
  }

  /** Frames of {@link #deep} entered, to find the stack's end. */
  private static int calls;

  static LockHandle resolve(Object o) {
    if (o instanceof LockHandle h) {
      return h;
    }
    if (o instanceof Optional<?> opt) {
      return (LockHandle) opt.orElse(null);
    }
    if (o instanceof CompletableFuture<?> f) {
      return (LockHandle) f.join();
    }
    return null;
  }

  /** Whether the error was thrown inside the lock's code (not in the test's recursion). */
  static boolean inside(Throwable e) {
    for (StackTraceElement f : e.getStackTrace()) {
      String c = f.getClassName();
      if (c.startsWith("dev.lockstep.lock.") && !c.startsWith(StackDepthScanTest.class.getName())) {
        return true;
      }
    }
    return false;
  }

  /** Results of one case's scans. */
  static final class Result {
    final TreeSet<Integer> insideOffsets = new TreeSet<>();
    final List<String> failures = new ArrayList<>();
    int inside;

    /** Where the scan met {@link #residual}'s window, or null. */
    String residual;
  }

  private static void scan(Case c, Named op, boolean closing, Result r) {
    // Warm the recursion so that its frames keep one size, then find the stack's end. Three kinds
    // of Acquire: a call site in deep() that has seen only one or two may get the acquire inlined
    // into deep()'s compiled frame, whose entry then meets the stack's end outside the lock.
    for (int i = 0; i < 20_000; i++) {
      try {
        deep(8, WARM[i % WARM.length]);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    calls = 0;
    try {
      deep(Integer.MAX_VALUE, () -> null);
    } catch (StackOverflowError e) {
      // calls is the end
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    int base = Math.max(0, calls - WIDTH);
    AtomicReference<Throwable> bottomError = new AtomicReference<>();
    try {
      deep(
          base,
          () -> {
            try {
              scanAtBottom(c, op, closing, r);
            } catch (Throwable e) {
              bottomError.set(e);
            }
            return null;
          });
    } catch (Exception | StackOverflowError e) {
      throw new AssertionError(e);
    }
    if (bottomError.get() != null) {
      throw new AssertionError(bottomError.get());
    }
  }

  private static final String TEST_FRAMES = StackDepthScanTest.class.getName() + ".";

  private static void scanAtBottom(Case c, Named op, boolean closing, Result r) throws Exception {
    int outsideRun = 0;
    for (int off = 0; off < WIDTH + 200 && outsideRun < 32; off++) {
      Throwable thrown = null;
      if (!closing) {
        LockHandle h = null;
        try {
          h = resolve(deep(off, op.acquire()));
        } catch (StackOverflowError e) {
          thrown = e;
        }
        if (h != null) {
          h.close();
        }
      } else {
        LockHandle h = resolve(op.acquire().get());
        if (h == null) {
          r.failures.add(op.name() + ": could not take the lock at offset " + off);
          return;
        }
        try {
          deepClose(off, h);
        } catch (StackOverflowError e) {
          thrown = e;
          h.close(); // a caller unwinding retries (or a finally further up closes it)
        }
      }
      if (thrown != null) {
        if (inside(thrown)) {
          r.inside++;
          r.insideOffsets.add(off);
          outsideRun = 0;
        } else {
          outsideRun++;
        }
      }
      lastThrown = describe(thrown);
      if (!c.free().getAsBoolean() && residual(thrown)) {
        // The one window left open on purpose (see #residual): the lock is lost with it, so this
        // case's scan ends here; it is reported, not failed.
        r.residual =
            op.name() + (closing ? " close" : "") + " at offset " + off + ": " + lastThrown;
        return;
      }
      if (!c.free().getAsBoolean()) {
        String sb =
            (closing ? "after close of " : "after ")
                + op.name()
                + " at offset "
                + off
                + ", the lock is not free; thrown: "
                + describe(thrown);
        r.failures.add(sb);
        return;
      }
    }
  }

  /**
   * Whether the error was thrown again by the give-back that handles an earlier one: the hold's own
   * release, called from the frame that met the first error, met the stack's end too. This is the
   * one window these scans leave open. Java code cannot reserve stack for its error handlers (JEP
   * 270's reserved stack is for the JDK's own locks only). How deep a call needs depends on whether
   * the caller and callee run compiled or interpreted, so no ordering of calls proves that the
   * give-back fits wherever the take did. It is met only while compilation is half done (a few runs
   * in ten of this test in the JVM, never in InterpretedScanTest's -Xint scans). Allocation comes
   * before every state change, so an OutOfMemoryError does not leave this window.
   */
  static boolean residual(Throwable thrown) {
    if (!(thrown instanceof StackOverflowError)) {
      return false;
    }
    for (StackTraceElement f : thrown.getStackTrace()) {
      if (f.getClassName().startsWith("dev.lockstep.lock.")
          && !f.getClassName().startsWith(TEST_FRAMES)
          && f.getMethodName().equals("giveBack")) {
        return true;
      }
    }
    return thrown.getSuppressed().length > 0; // the give-back's own error, added by giveBack
  }

  /** The last error of the scan, for a scan that hangs (a spin lock left locked). */
  static volatile String lastThrown;

  static String describe(Throwable thrown) {
    if (thrown == null) {
      return "nothing";
    }
    StringBuilder sb = new StringBuilder(thrown.toString());
    StackTraceElement[] t = thrown.getStackTrace();
    for (int i = 0, shown = 0; i < t.length && shown < 16; i++) {
      String cls = t[i].getClassName();
      if (i < 3 || cls.startsWith("dev.lockstep.lock.") && !cls.startsWith(TEST_FRAMES)) {
        sb.append("\n  at ").append(t[i]);
        shown++;
      }
    }
    return sb.toString();
  }

  /**
   * Scans every acquire (and close) of {@code c}; true if the scan met {@link #residual}'s window,
   * which loses the lock, so that a caller checking more of it afterwards knows to leave it out.
   */
  private static boolean check(Case c) throws Exception {
    List<String> report = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    int insideDepths = 0;
    scans:
    for (Named op : c.acquires()) {
      for (boolean closing : new boolean[] {false, true}) {
        if (closing && op.name().endsWith("(scope)")) {
          continue; // no handle: the scope's own exit is scanned with its entry
        }
        Result r = new Result();
        ScanRun run =
            onSmallStack(
                () -> {
                  for (int round = 0;
                      round < ROUNDS && r.failures.isEmpty() && r.residual == null;
                      round++) {
                    scan(c, op, closing, r);
                  }
                });
        if (run.hung()) {
          failures.add(op.name() + (closing ? " close" : "") + " hangs after " + lastThrown);
          break scans;
        }
        failures.addAll(r.failures);
        if (run.died() != null) {
          failures.add(op.name() + (closing ? " close" : "") + ": " + run.died());
        }
        if (!failures.isEmpty()) {
          break scans;
        }
        if (r.residual != null) {
          // The lock is lost to the documented window (see #residual): nothing more to check on it.
          System.out.println(c.name() + ": residual window met, " + r.residual);
          return true;
        }
        report.add(
            op.name() + (closing ? " close" : "") + ": " + r.inside + " " + r.insideOffsets.size());
        if (!closing) {
          insideDepths += r.insideOffsets.size();
        }
      }
    }
    assertEquals(List.of(), failures, c.name() + " " + report);
    // Not every acquire is hit inside at every run (compiled, a path may inline whole), but the
    // case as a whole must be: else the scan missed the lock's code and showed nothing.
    assertTrue(insideDepths >= 10, c.name() + ": too few depths hit inside the lock: " + report);
    assertTrue(
        onFreshThread(c.freshTry()), c.name() + ": a fresh thread could not take the lock at once");
    assertTrue(c.free().getAsBoolean(), c.name());
    return false;
  }

  /** How a scan thread ended: still running after two minutes, or what it threw (else null). */
  record ScanRun(boolean hung, Throwable died) {}

  /** Runs {@code body} on a daemon thread with a {@link #STACK}-sized stack, up to two minutes. */
  static ScanRun onSmallStack(Runnable body) throws InterruptedException {
    Thread t = new Thread(null, body, "scan", STACK);
    AtomicReference<Throwable> died = new AtomicReference<>();
    t.setUncaughtExceptionHandler((th, e) -> died.set(e));
    t.setDaemon(true);
    t.start();
    t.join(120_000);
    return new ScanRun(t.isAlive(), died.get());
  }

  /** Runs {@code freshTry} on a new thread (one that holds nothing) and returns its answer. */
  static boolean onFreshThread(Supplier<Boolean> freshTry) throws InterruptedException {
    AtomicReference<Boolean> fresh = new AtomicReference<>();
    Thread f = new Thread(() -> fresh.set(freshTry.get()));
    f.start();
    f.join();
    return fresh.get();
  }

  /** Whether a try took the lock; what it took is closed again. */
  static boolean tookAndClosed(Optional<LockHandle> h) {
    h.ifPresent(LockHandle::close);
    return h.isPresent();
  }

  /** A recorder that records something, so that locks take their recording paths. */
  static final class Counting implements LockRecorder {
    volatile int acquired;
    volatile int released;

    @Override
    public void acquired(String lock, Object key, LockMode mode, long waitNanos, boolean c) {
      acquired++;
    }

    @Override
    public void released(String lock, Object key, long holdNanos) {
      released++;
    }
  }

  static Case single(String name, LockOptions options) {
    SingleReadWriteLock lock = (SingleReadWriteLock) ReadWriteLock.create(options);
    List<Named> ops =
        List.of(
            new Named("acquireRead", () -> lock.acquireRead(LONG)),
            new Named("acquireWrite", () -> lock.acquireWrite(LONG)),
            new Named("acquireRead(0)", () -> lock.acquireRead(Duration.ZERO)),
            new Named("tryAcquireRead", lock::tryAcquireRead),
            new Named("tryAcquireWrite", lock::tryAcquireWrite),
            new Named("acquireReadAsync", () -> lock.acquireReadAsync(LONG)),
            new Named("acquireWriteAsync", () -> lock.acquireWriteAsync(LONG)),
            new Named("read(scope)", () -> lock.read(LONG, () -> null)),
            new Named("write(scope)", () -> lock.write(LONG, () -> null)));
    return new Case(name, ops, lock::idle, () -> tookAndClosed(lock.tryAcquireWrite()));
  }

  static Case keyed(String name, KeyedLock<String> lock) {
    List<Named> ops =
        List.of(
            new Named("acquire", () -> lock.acquire(KEY, LONG)),
            new Named("tryAcquire", () -> lock.tryAcquire(KEY)),
            new Named("tryAcquire(timeout)", () -> lock.tryAcquire(KEY, LONG)),
            new Named("acquireAsync", () -> lock.acquireAsync(KEY, LONG)));
    return new Case(
        name,
        ops,
        () -> lock.activeKeys() == 0 && !lock.isLocked(KEY),
        () -> tookAndClosed(lock.tryAcquire(KEY)));
  }

  static Case keyedReadWrite(String name, KeyedReadWriteLock<String> lock) {
    List<Named> ops =
        List.of(
            new Named("acquireRead", () -> lock.acquireRead(KEY, LONG)),
            new Named("acquireWrite", () -> lock.acquireWrite(KEY, LONG)),
            new Named("tryAcquireRead", () -> lock.tryAcquireRead(KEY)),
            new Named("tryAcquireWrite(timeout)", () -> lock.tryAcquireWrite(KEY, LONG)),
            new Named("acquireReadAsync", () -> lock.acquireReadAsync(KEY, LONG)),
            new Named("acquireWriteAsync", () -> lock.acquireWriteAsync(KEY, LONG)));
    return new Case(
        name, ops, () -> lock.activeKeys() == 0, () -> tookAndClosed(lock.tryAcquireWrite(KEY)));
  }

  @Test
  void singleReadWriteLock() throws Exception {
    check(single("single", LockOptions.named("single")));
  }

  @Test
  void singleReadWriteLockRecording() throws Exception {
    check(single("single+recorder", LockOptions.named("single").withRecorder(new Counting())));
  }

  @Test
  void keyedLockFastPath() throws Exception {
    check(keyed("keyed", KeyedLock.create()));
  }

  @Test
  void keyedLockRecording() throws Exception {
    check(
        keyed(
            "keyed+recorder",
            KeyedLock.create(LockOptions.named("k").withRecorder(new Counting()))));
  }

  @Test
  void keyedReadWriteLock() throws Exception {
    check(keyedReadWrite("keyed-rw", KeyedReadWriteLock.create()));
  }

  @Test
  void keyedReadWriteLockRecording() throws Exception {
    check(
        keyedReadWrite(
            "keyed-rw+recorder",
            KeyedReadWriteLock.create(LockOptions.named("k").withRecorder(new Counting()))));
  }

  @Test
  void registryLocks() throws Exception {
    try (LockRegistry registry = LockRegistry.create()) {
      // a lock lost to the residual window still lists its lost hold: not checked here
      Set<String> lost = new HashSet<>();
      if (check(keyed("registry", registry.keyed("scanned")))) {
        lost.add("scanned");
      }
      if (check(keyedReadWrite("registry-rw", registry.readWrite("scanned-rw")))) {
        lost.add("scanned-rw");
      }
      RegistrySnapshot s = registry.snapshot();
      for (LockSnapshot l : s.locks()) {
        if (lost.contains(l.name())) {
          continue;
        }
        assertEquals(List.of(), l.holders(), l.name());
        assertEquals(List.of(), l.waiters(), l.name());
        assertEquals(0, l.activeKeys(), l.name());
      }
      assertFalse(s.locks().isEmpty());
    }
  }
}
