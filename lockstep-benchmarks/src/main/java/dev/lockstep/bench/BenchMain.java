package dev.lockstep.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

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
          "usage: BenchMain SUITE [--quick] [--json FILE]   (suites: "
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
    // Interleaved rounds (see interleaved()): 4 rounds of one fork of 4 + 6 iterations, where
    // a full run used to take 2 back-to-back forks of 5 + 10 (24 measured s instead of 20).
    results.addAll(
        interleaved(
            out,
            inRounds(throughput(quick, LocksBenchmark.class), quick),
            "locks throughput",
            3 * KeyedLockImpl.NAMES.size(),
            rounds(quick, 4)));
    results.addAll(
        interleaved(
            out,
            singleShot(
                quick,
                VirtualThreadsBenchmark.class,
                "vthreads1000",
                quick ? 10 : 25,
                quick ? 10 : 20),
            "locks vthreads-1000",
            5,
            rounds(quick, 4)));
    results.addAll(
        interleaved(
            out,
            singleShot(
                quick,
                VirtualThreadsBenchmark.class,
                "vthreads100000",
                quick ? 5 : 15,
                quick ? 5 : 10),
            "locks vthreads-100000",
            5,
            rounds(quick, 4)));
    addRows(report, results);

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
    addRows(
        report,
        interleaved(
            out,
            inRounds(throughput(quick, RwLockBenchmark.class), quick),
            "rwlock",
            3 * RwLockImpl.NAMES.size(),
            rounds(quick, 3)));
    for (String s : List.of("uncontended-read", "uncontended-write", "rw-90-10-2t")) {
      report.compareThroughput(s, RwLockImpl.NAMES); // the handle API: try (LockHandle h = ...)
      report.compareThroughput(s, "lockstep-scoped", RwLockImpl.NAMES); // read/write(t, body)
    }
  }

  // ---------------------------------------------------------------- JMH

  static String include(Class<?> benchmark) {
    return "^" + Pattern.quote(benchmark.getName() + ".");
  }

  static ChainedOptionsBuilder common(boolean quick) {
    return new OptionsBuilder()
        .forks(quick ? 1 : 2)
        // The same fixed heap for every implementation, whatever this JVM was given.
        .jvmArgs("-Xms1g", "-Xmx1g", "-XX:+UseG1GC")
        .addProfiler(GCProfiler.class)
        .shouldFailOnError(true)
        .verbosity(VerboseMode.NORMAL);
  }

  static ChainedOptionsBuilder throughput(boolean quick, Class<?> benchmark) {
    return throughput(quick, include(benchmark));
  }

  /** Throughput runs of the benchmarks matching {@code include}. */
  static ChainedOptionsBuilder throughput(boolean quick, String include) {
    return common(quick)
        .include(include)
        .warmupIterations(quick ? 3 : 5)
        .warmupTime(TimeValue.milliseconds(quick ? 200 : 1000))
        .measurementIterations(quick ? 5 : 10)
        .measurementTime(TimeValue.milliseconds(quick ? 150 : 1000));
  }

  /**
   * A full throughput run's iterations per fork when its forks come in {@link #interleaved} rounds:
   * 4 warm-up and 6 measured 1-second iterations (3 rounds then take as long as the 2 forks of 5 +
   * 10 they replace); a quick run keeps its own.
   */
  static ChainedOptionsBuilder inRounds(ChainedOptionsBuilder throughput, boolean quick) {
    return quick ? throughput : throughput.warmupIterations(4).measurementIterations(6);
  }

  /** Single-shot batches of one benchmark method: {@code warmup}, then {@code iterations}. */
  static ChainedOptionsBuilder singleShot(
      boolean quick, Class<?> benchmark, String method, int warmup, int iterations) {
    return common(quick)
        .include("^" + Pattern.quote(benchmark.getName() + "." + method) + "$")
        .warmupIterations(warmup)
        .warmupBatchSize(1)
        .measurementIterations(iterations)
        .measurementBatchSize(1);
  }

  /** The JMH include pattern of one benchmark method. */
  static String method(Class<?> benchmark, String method) {
    return "^" + Pattern.quote(benchmark.getName() + "." + method) + "$";
  }

  static Collection<RunResult> jmh(
      PrintStream out, ChainedOptionsBuilder options, String what, int runs)
      throws IOException, RunnerException {
    Path log = Files.createTempFile("lockstep-bench-", ".log");
    Options built = options.output(log.toString()).build();
    int forks = built.getForkCount().orElse(1);
    out.printf(
        "JMH: %s, %d runs x %d fork JVM%s; JMH log in %s%n",
        what, runs, forks, forks == 1 ? "" : "s", log);
    long t0 = System.nanoTime();
    Collection<RunResult> results = new Runner(built).run();
    out.printf("JMH: %s done in %.0f s%n", what, (System.nanoTime() - t0) / 1e9);
    return results;
  }

  /** Rounds of an interleaved full run (see {@link #interleaved}); a quick run has one. */
  static int rounds(boolean quick, int full) {
    return quick ? 1 : full;
  }

  /**
   * Runs {@code options} as {@code rounds} JMH runs of one fork each and merges every benchmark's
   * forks across the rounds (JMH then averages them as the forks of one run). So each
   * implementation's forks are spread over the whole run, interleaved with its peers' (lockstep,
   * peer, peer, …, lockstep, peer, …), instead of back to back: a shared machine that slows down
   * for a minute (another tenant on the host) then slows every implementation alike, where it used
   * to land on one of them and move the ratio. The forks stay in round order, so {@link
   * Report#compareThroughput} can also show the ratio of each round.
   */
  static List<RunResult> interleaved(
      PrintStream out, ChainedOptionsBuilder options, String what, int runs, int rounds)
      throws IOException, RunnerException {
    Map<String, List<RunResult>> byBenchmark = new LinkedHashMap<>();
    for (int round = 1; round <= rounds; round++) {
      String label = rounds == 1 ? what : what + " (round " + round + " of " + rounds + ")";
      for (RunResult r : jmh(out, options.forks(1), label, runs)) {
        byBenchmark.computeIfAbsent(key(r.getParams()), k -> new ArrayList<>()).add(r);
      }
    }
    List<RunResult> merged = new ArrayList<>();
    for (List<RunResult> same : byBenchmark.values()) {
      List<BenchmarkResult> forks = new ArrayList<>();
      for (RunResult r : same) {
        forks.addAll(r.getBenchmarkResults());
      }
      merged.add(new RunResult(same.get(0).getParams(), forks));
    }
    return merged;
  }

  /** A benchmark and its parameter values: what identifies "the same benchmark" across rounds. */
  private static String key(BenchmarkParams p) {
    StringBuilder k = new StringBuilder(p.getBenchmark()).append('/').append(p.getThreads());
    for (String name : p.getParamsKeys()) {
      k.append('/').append(name).append('=').append(p.getParam(name));
    }
    return k.toString();
  }

  static void addRows(Report report, Collection<RunResult> results) {
    for (RunResult r : results) {
      BenchmarkParams p = r.getParams();
      String full = p.getBenchmark();
      String method = full.substring(full.lastIndexOf('.') + 1);
      String scenario = scenarioName(method, p.getParam("synchronous"));
      Result<?> primary = r.getPrimaryResult();
      double ops = opsPerSecond(primary.getScore(), primary.getScoreUnit());
      double err =
          errorOpsPerSecond(primary.getScore(), primary.getScoreError(), primary.getScoreUnit());
      Double alloc = null;
      // "gc.alloc.rate.norm" (JMH 1.37; older versions prefix it with "·").
      for (String label : r.getSecondaryResults().keySet()) {
        if (label.endsWith("gc.alloc.rate.norm")) {
          Result<?> norm = r.getSecondaryResults().get(label);
          alloc = norm.getScore();
        }
      }
      int threads = VIRTUAL_THREADS.getOrDefault(method, p.getThreads());
      Map<String, Object> extra = null;
      Result<?> refused = r.getSecondaryResults().get("refused"); // FsmBenchmark.Refusals
      if (refused != null) {
        extra = new LinkedHashMap<>();
        extra.put("refused", (long) refused.getScore());
      }
      report.rows.add(
          new Report.Row(scenario, p.getParam("impl"), threads, ops, err, null, alloc, extra));
      List<Double> forks = new ArrayList<>();
      for (BenchmarkResult fork : r.getBenchmarkResults()) {
        Result<?> f = fork.getPrimaryResult();
        forks.add(opsPerSecond(f.getScore(), f.getScoreUnit()));
      }
      report.forkOps.put(Report.forkKey(scenario, p.getParam("impl")), forks);
    }
    report.rows.sort(
        java.util.Comparator.comparing((Report.Row row) -> scenarioOrder(row.scenario()))
            .thenComparing(row -> implOrder(row.impl())));
  }

  /** The JSON scenario of a JMH method, with its {@code synchronous} parameter if it has one. */
  static String scenarioName(String method, String synchronous) {
    String scenario = SCENARIOS.getOrDefault(method, method);
    return synchronous == null ? scenario : scenario + "-" + synchronous.toLowerCase(Locale.ROOT);
  }

  private static int scenarioOrder(String scenario) {
    List<String> order = List.copyOf(SCENARIOS.values());
    int i = order.indexOf(scenario);
    if (i >= 0) {
      return 2 * i;
    }
    for (i = 0; i < order.size(); i++) {
      if (scenario.startsWith(order.get(i) + "-")) { // sqlite-8t-full, sqlite-8t-normal
        return 2 * i + (scenario.endsWith("-normal") ? 1 : 0);
      }
    }
    return Integer.MAX_VALUE;
  }

  private static int implOrder(String impl) {
    for (List<String> names :
        List.of(
            KeyedLockImpl.NAMES,
            RwLockImpl.NAMES,
            DocsBenchmark.NAMES,
            FsmBenchmark.NAMES,
            FsmMemoryBenchmark.NAMES)) {
      int i = names.indexOf(impl);
      if (i >= 0) {
        return i;
      }
    }
    return Integer.MAX_VALUE;
  }

  /** A JMH score as operations per second: "ops/s", "ops/ms", ... or a time per op "ns/op", ... */
  static double opsPerSecond(double score, String unit) {
    String[] parts = unit.split("/");
    if (parts.length != 2) {
      throw new IllegalArgumentException("unexpected JMH unit " + unit);
    }
    if (parts[0].equals("ops")) {
      return score / seconds(parts[1]);
    }
    if (parts[1].equals("op")) {
      return 1 / (score * seconds(parts[0]));
    }
    throw new IllegalArgumentException("unexpected JMH unit " + unit);
  }

  /**
   * The error bar (JMH's 99.9 % confidence half-width) of a score in ops/s, taken as the same
   * fraction of the converted score (a time per op's interval is asymmetric once inverted).
   */
  static double errorOpsPerSecond(double score, double error, String unit) {
    if (Double.isNaN(error) || score <= 0) {
      return Double.NaN;
    }
    return opsPerSecond(score, unit) * (error / score);
  }

  private static double seconds(String unit) {
    return switch (unit) {
      case "s" -> 1;
      case "ms" -> 1e-3;
      case "us" -> 1e-6;
      case "ns" -> 1e-9;
      case "min" -> 60;
      default -> throw new IllegalArgumentException("unexpected JMH time unit " + unit);
    };
  }
}
