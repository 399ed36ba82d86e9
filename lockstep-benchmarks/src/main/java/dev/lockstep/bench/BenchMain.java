package dev.lockstep.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;

/**
 * {@code BenchMain SUITE [--quick] [--json FILE]}: runs a suite side by side with its peers, prints
 * the results and comparisons, and optionally writes them as JSON (shape in BENCHMARKS.md). Suites:
 * {@code locks}, {@code rwlock}, {@code startup}, {@code docs}, {@code fsm}.
 */
public final class BenchMain {
  static final List<String> SUITES = List.of("locks", "rwlock", "startup", "docs", "fsm");

  /**
   * JMH method → scenario name in the JSON (a {@code synchronous} parameter is appended: {@code
   * sqlite-8t-full}), in report order.
   */
  static final Map<String, String> SCENARIOS = scenarios();

  private static Map<String, String> scenarios() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("uncontended", "uncontended");
    m.put("keys1000", "keys-1000-2t");
    m.put("hotKey", "hot-key-2t");
    m.put("vthreads1000", "vthreads-1000");
    m.put("vthreads100000", "vthreads-100000");
    m.put("uncontendedRead", "uncontended-read");
    m.put("uncontendedWrite", "uncontended-write");
    m.put("readWrite9010", "rw-90-10-2t");
    m.put("update1t", "update-1t");
    m.put("update8t", "update-8t");
    m.put("sqlite8t", "sqlite-8t");
    m.put("memory1t", "memory-1t");
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Virtual threads per invocation, reported as the row's thread count. */
  static final Map<String, Integer> VIRTUAL_THREADS =
      Map.of("vthreads1000", 1000, "vthreads100000", 100_000);

  private BenchMain() {}

  /** Parsed command line. */
  record Args(String suite, boolean quick, Path json) {
    static Args parse(String... args) {
      String suite = null;
      boolean quick = false;
      Path json = null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--quick" -> quick = true;
          case "--json" -> {
            if (i + 1 >= args.length) {
              throw new IllegalArgumentException("--json needs a FILE");
            }
            json = Path.of(args[++i]);
          }
          default -> {
            if (a.startsWith("--json=")) {
              json = Path.of(a.substring("--json=".length()));
            } else if (a.startsWith("-")) {
              throw new IllegalArgumentException("unknown option: " + a);
            } else if (suite != null) {
              throw new IllegalArgumentException("one suite at a time, got " + suite + " and " + a);
            } else {
              suite = a;
            }
          }
        }
      }
      if (suite == null) {
        throw new IllegalArgumentException("no SUITE given");
      }
      if (!SUITES.contains(suite)) {
        throw new IllegalArgumentException("unknown suite '" + suite + "'; suites: " + SUITES);
      }
      return new Args(suite, quick, json);
    }
  }

  public static void main(String[] argv) throws Exception {
    Args args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("lockstep bench: " + e.getMessage());
      System.err.println(
          "usage: lockstep bench SUITE [--quick] [--json FILE]   (suites: "
              + String.join(", ", SUITES)
              + ")");
      System.exit(2);
      return;
    }
    PrintStream out = System.out;
    Report report = new Report(args.suite(), args.quick());
    out.printf(
        "Lockstep bench %s (%s): %d cores, JDK %s%n",
        args.suite(), args.quick() ? "quick" : "full", Machine.cores(), Machine.jdk());
    switch (args.suite()) {
      case "locks" -> locks(report, args.quick(), out);
      case "rwlock" -> rwlock(report, args.quick(), out);
      case "startup" -> StartupBench.run(report, args.quick(), out);
      case "docs" -> DocsFsmSuites.docs(report, args.quick(), out);
      case "fsm" -> DocsFsmSuites.fsm(report, args.quick(), out);
      default -> throw new AssertionError(args.suite());
    }
    report.print(out);
    if (args.json() != null) {
      report.writeJson(args.json());
      out.println();
      out.println("JSON written to " + args.json().toAbsolutePath());
    }
  }

  // ---------------------------------------------------------------- suites

  static void locks(Report report, boolean quick, PrintStream out) throws Exception {
    out.println("memory: holding " + MemoryProbe.KEYS + " keys (heap after full GCs)...");
    long t0 = System.nanoTime();
    MemoryProbe.Figures mem = MemoryProbe.measure(quick ? 1 : 5);
    out.printf("memory: done in %.0f s%n", (System.nanoTime() - t0) / 1e9);

    List<RunResult> results = new ArrayList<>();
    // Interleaved rounds (see Jmh.interleaved): 4 rounds of one fork of 4 + 6 iterations, where
    // a full run used to take 2 back-to-back forks of 5 + 10 (24 measured s instead of 20).
    results.addAll(
        Jmh.interleaved(
            out,
            Jmh.throughput(quick, LocksBenchmark.class),
            "locks throughput",
            3 * KeyedLockImpl.NAMES.size(),
            Jmh.rounds(quick, 4)));
    results.addAll(
        Jmh.interleaved(
            out,
            Jmh.singleShot(
                quick,
                VirtualThreadsBenchmark.class,
                "vthreads1000",
                quick ? 10 : 25,
                quick ? 10 : 20),
            "locks vthreads-1000",
            5,
            Jmh.rounds(quick, 4)));
    results.addAll(
        Jmh.interleaved(
            out,
            Jmh.singleShot(
                quick,
                VirtualThreadsBenchmark.class,
                "vthreads100000",
                quick ? 5 : 15,
                quick ? 5 : 10),
            "locks vthreads-100000",
            5,
            Jmh.rounds(quick, 4)));
    Jmh.addRows(report, results);
    // keys-1000-2t again, Lockstep and lazyweak in adjacent slices of one JVM (see LocksPaired:
    // this VM's cross-core line transfers change speed by 2-3x for seconds at a time).
    LocksPaired.run(report, quick, out);

    Map<String, Object> held = new LinkedHashMap<>();
    held.put("keys", MemoryProbe.KEYS);
    held.put("bytesPerHeldKey", mem.lockstepBytesPerHeldKey());
    report.rows.add(new Report.Row("memory-1m-held", "lockstep", 1, null, null, null, null, held));
    Map<String, Object> after = new LinkedHashMap<>();
    after.put("retainedBytes", mem.lockstepRetainedAfterRelease());
    after.put("activeKeys", mem.lockstepActiveKeysAfterRelease());
    report.rows.add(
        new Report.Row("memory-after-release", "lockstep", 1, null, null, null, null, after));
    report.rows.add(
        new Report.Row(
            "memory-after-release",
            "chm-reentrantlock",
            1,
            null,
            null,
            null,
            null,
            Map.of("retainedBytes", mem.chmReentrantLockRetained())));
    report.rows.add(
        new Report.Row(
            "memory-after-release",
            "chm-remove",
            1,
            null,
            null,
            null,
            null,
            Map.of("retainedBytes", mem.chmRemoveRetained())));
    report.notes.add(
        "memory: heap deltas after full GCs, median of "
            + (quick ? 1 : 5)
            + " rounds of 1,000,000 distinct pre-boxed keys (key objects excluded); chm-reentrantlock"
            + " never removes its locks; chm-remove is a ConcurrentHashMap whose 1,000,000 entries"
            + " were all removed again (its table never shrinks)");

    for (String s :
        List.of("uncontended", "keys-1000-2t", "hot-key-2t", "vthreads-1000", "vthreads-100000")) {
      report.compareThroughput(s, KeyedLockImpl.NAMES);
    }
    Report.Row unc = report.find("uncontended", "lockstep");
    if (unc != null && unc.allocBytesPerOp() != null) {
      // JMH's figure carries a few thousandths of a byte of noise (32.0003): compare it rounded
      // to a tenth of a byte, as printed.
      double alloc = Math.round(unc.allocBytesPerOp() * 10) / 10.0;
      report.check(
          "uncontended",
          "lockstep",
          "allocBytesPerOp",
          alloc,
          "<=",
          Targets.ALLOC_UNCONTENDED_MAX,
          "required");
      report.check("uncontended", "lockstep", "allocBytesPerOp", alloc, "<=", 0, "aim");
    }
    report.check(
        "memory-1m-held",
        "lockstep",
        "bytesPerHeldKey",
        mem.lockstepBytesPerHeldKey(),
        "<=",
        Targets.BYTES_PER_HELD_KEY_MAX,
        "required");
    report.check(
        "memory-after-release",
        "lockstep",
        "retainedBytes",
        mem.lockstepRetainedAfterRelease(),
        "<=",
        Targets.RETAINED_AFTER_RELEASE_MAX,
        "required");
    report.check(
        "memory-after-release",
        "lockstep",
        "activeKeys",
        mem.lockstepActiveKeysAfterRelease(),
        "==",
        0,
        "required");
  }

  static void rwlock(Report report, boolean quick, PrintStream out) throws Exception {
    Jmh.addRows(
        report,
        Jmh.interleaved(
            out,
            Jmh.throughput(quick, RwLockBenchmark.class),
            "rwlock",
            3 * RwLockImpl.NAMES.size(),
            Jmh.rounds(quick, 3)));
    for (String s : List.of("uncontended-read", "uncontended-write", "rw-90-10-2t")) {
      report.compareThroughput(s, RwLockImpl.NAMES); // the handle API: try (LockHandle h = ...)
      report.compareThroughput(s, "lockstep-scoped", RwLockImpl.NAMES); // read/write(t, body)
    }
  }
}
