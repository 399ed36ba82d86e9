package dev.lockstep.lock;

import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link InterpretedScanTest}: runs one scan case (the first argument) in the
 * interpreter ({@code -Xint}), where every call can meet the end of the stack, so an error handler
 * that needs more stack than the call that failed is found at the depths where it fails. Prints one
 * line per failure ("FAIL ..."), then "inside N" (steps whose error was thrown inside the lock's
 * code); exits 1 on a failure.
 *
 * <p>The scan moves the stack's end in steps finer than one frame: {@code small} frames of {@link
 * #deep} and {@code big} ones of {@link #deepBig} (a word or two larger), so that a window of a few
 * words between two calls of the lock is not stepped over.
 */
final class InterpretedScan {
  private static final int STACK = 256 << 10;

  /** Frames of {@link #deep} scanned below the base. */
  private static final int WIDTH = 400;

  /** Mixes of big and small frames per small frame: more than a frame's words. */
  private static final int FINE = 24;

  static volatile int sink;
  private static int calls;

  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  /** A scanned case: what to set up before each step, the step, and the check after it. */
  interface Case {
    void before() throws Exception;

    void step() throws Exception;

    /** After a step (its error, or null): null if the lock is fine, else what is wrong. */
    String after(Throwable thrown) throws Exception;
  }

  static void deep(int small, int big, Step s) throws Exception {
    calls++;
    if (big > 0) {
      deepBig(small, big, s);
      return;
    }
    if (small > 0) {
      deep(small - 1, 0, s);
      sink = small;
      return;
    }
    s.run();
  }

  static void deepBig(int small, int big, Step s) throws Exception {
    int pad = big;
    long pad2 = small;
    deep(small, big - 1, s);
    sink = pad + (int) pad2;
  }

  static boolean inside(Throwable e) {
    for (StackTraceElement f : e.getStackTrace()) {
      String c = f.getClassName();
      if (c.startsWith("dev.lockstep.lock.") && !c.startsWith(InterpretedScan.class.getName())) {
        return true;
      }
    }
    return false;
  }

  static String describe(Throwable t) {
    if (t == null) {
      return "nothing";
    }
    StringBuilder sb = new StringBuilder(t.toString());
    StackTraceElement[] st = t.getStackTrace();
    for (int i = 0, shown = 0; i < st.length && shown < 8; i++) {
      if (!st[i].getClassName().startsWith(InterpretedScan.class.getName())) {
        sb.append(" <- ").append(st[i].getClassName().replace("dev.lockstep.lock.", ""));
        sb.append('.').append(st[i].getMethodName()).append(':').append(st[i].getLineNumber());
        shown++;
      }
    }
    return sb.toString();
  }

  private static int inside;

  /** One step at a depth: set up, run at the depth, check. False once something failed. */
  private static boolean stepAt(Case c, int small, int big, List<String> failures)
      throws Exception {
    c.before();
    Throwable thrown = null;
    try {
      deep(small, big, c::step);
    } catch (StackOverflowError e) {
      thrown = e;
    }
    if (thrown != null && inside(thrown)) {
      inside++;
    }
    String wrong = c.after(thrown);
    if (wrong != null) {
      failures.add("FAIL at " + small + "+" + big + ": " + wrong + "; thrown: " + describe(thrown));
      return false;
    }
    return true;
  }

  private static void scanAtBottom(Case c, List<String> failures) throws Exception {
    // Coarse: one small frame at a time, to find the depths where errors hit inside the lock.
    int first = -1;
    int last = -1;
    for (int off = 0; off < WIDTH; off++) {
      c.before();
      Throwable thrown = null;
      try {
        deep(off, 0, c::step);
      } catch (StackOverflowError e) {
        thrown = e;
      }
      String wrong = c.after(thrown);
      if (wrong != null) {
        failures.add("FAIL at " + off + ": " + wrong + "; thrown: " + describe(thrown));
        return;
      }
      if (thrown != null && inside(thrown)) {
        inside++;
        first = first < 0 ? off : first;
        last = off;
      }
    }
    // Fine: every mix of big and small frames around that range.
    for (int off = Math.max(0, first - 2); first >= 0 && off <= last + 1; off++) {
      for (int big = 1; big <= Math.min(FINE, off); big++) {
        if (!stepAt(c, off - big, big, failures)) {
          return;
        }
      }
    }
  }

  static List<String> scan(Case c) throws Exception {
    List<String> failures = new ArrayList<>();
    Throwable[] died = new Throwable[1];
    Thread t =
        new Thread(
            null,
            () -> {
              try {
                calls = 0;
                try {
                  deep(Integer.MAX_VALUE, 0, () -> {});
                } catch (StackOverflowError e) {
                  // calls is the end
                }
                int base = Math.max(0, calls - WIDTH);
                deep(base, 0, () -> scanAtBottom(c, failures));
              } catch (Throwable e) {
                died[0] = e;
              }
            },
            "scan",
            STACK);
    t.start();
    t.join();
    if (died[0] != null) {
      failures.add("FAIL the scan died: " + describe(died[0]));
    }
    return failures;
  }

  /** An uncontended acquire of one of {@link StackDepthScanTest}'s cases, or its close. */
  static Case uncontended(
      StackDepthScanTest.Case lock, StackDepthScanTest.Named op, boolean close) {
    LockHandle[] h = new LockHandle[1];
    Object[] got = new Object[1];
    return new Case() {
      @Override
      public void before() throws Exception {
        h[0] = close ? StackDepthScanTest.resolve(op.acquire().get()) : null;
        got[0] = null;
      }

      @Override
      public void step() throws Exception {
        if (close) {
          h[0].close();
        } else {
          got[0] = op.acquire().get(); // resolved up there: no call after the acquire down here
        }
      }

      @Override
      public String after(Throwable thrown) {
        if (!close) {
          h[0] = StackDepthScanTest.resolve(got[0]);
        }
        if (h[0] != null) {
          h[0].close(); // the handle the acquire returned, or a close retried
        }
        return lock.free().getAsBoolean() ? null : "the lock is not free";
      }
    };
  }

  static StackDepthScanTest.Case lockCase(String name) {
    return switch (name) {
      case "single" -> StackDepthScanTest.single(name, LockOptions.named(name));
      case "single+recorder" ->
          StackDepthScanTest.single(
              name, LockOptions.named(name).withRecorder(new StackDepthScanTest.Counting()));
      case "keyed" -> StackDepthScanTest.keyed(name, KeyedLock.create());
      case "keyed+recorder" ->
          StackDepthScanTest.keyed(
              name,
              KeyedLock.create(
                  LockOptions.named(name).withRecorder(new StackDepthScanTest.Counting())));
      case "keyed+limit" ->
          StackDepthScanTest.keyed(
              name, KeyedLock.create(LockOptions.named(name).withMaxActiveKeys(4)));
      case "registry" -> StackDepthScanTest.keyed(name, LockRegistry.create().keyed(name));
      case "registry-rw" ->
          StackDepthScanTest.keyedReadWrite(name, LockRegistry.create().readWrite(name));
      case "keyed-rw" -> StackDepthScanTest.keyedReadWrite(name, KeyedReadWriteLock.create());
      case "keyed-rw+recorder" ->
          StackDepthScanTest.keyedReadWrite(
              name,
              KeyedReadWriteLock.create(
                  LockOptions.named(name).withRecorder(new StackDepthScanTest.Counting())));
      default -> throw new IllegalArgumentException(name);
    };
  }

  public static void main(String[] args) throws Exception {
    List<String> failures;
    if (args[0].startsWith("uncontended:")) {
      // Every acquire of the case, then every close, each scanned on a lock of its own.
      String name = args[0].substring("uncontended:".length());
      failures = new ArrayList<>();
      for (StackDepthScanTest.Named op : lockCase(name).acquires()) {
        for (boolean close : new boolean[] {false, true}) {
          if (close && op.name().endsWith("(scope)")) {
            continue;
          }
          StackDepthScanTest.Case lock = lockCase(name);
          StackDepthScanTest.Named same =
              lock.acquires().stream().filter(o -> o.name().equals(op.name())).findFirst().get();
          for (String f : scan(uncontended(lock, same, close))) {
            failures.add(op.name() + (close ? " close " : " ") + f);
          }
          if (!failures.isEmpty()) {
            break;
          }
        }
      }
    } else {
      throw new IllegalArgumentException(args[0]);
    }
    failures.forEach(System.out::println);
    System.out.println("inside " + inside);
    System.out.flush();
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  private InterpretedScan() {}
}
