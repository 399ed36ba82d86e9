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
 * The JMH plumbing of the suites: the options every suite shares, running them in interleaved
 * rounds ({@link #interleaved}), and turning JMH's results into {@link Report} rows in ops/s.
 */
final class Jmh {
  private Jmh() {}

  static String include(Class<?> benchmark) {
    return "^" + Pattern.quote(benchmark.getName() + ".");
  }

  /** The same fixed heap for every implementation, whatever this JVM was given. */
  static final List<String> JVM_ARGS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC");

  static ChainedOptionsBuilder common(boolean quick) {
    return new OptionsBuilder()
        .forks(quick ? 1 : 2)
        .jvmArgs(JVM_ARGS.toArray(String[]::new))
        .addProfiler(GCProfiler.class)
        .shouldFailOnError(true)
        .verbosity(VerboseMode.NORMAL);
  }

  static ChainedOptionsBuilder throughput(boolean quick, Class<?> benchmark) {
    return throughput(quick, include(benchmark));
  }

  /**
   * Throughput runs of the benchmarks matching {@code include}, for {@link #interleaved} rounds: a
   * full run's fork has 4 warm-up and 6 measured 1-second iterations (3 rounds then take as long as
   * the 2 back-to-back forks of 5 + 10 they replaced); a quick run's, 3 and 5 short ones.
   */
  static ChainedOptionsBuilder throughput(boolean quick, String include) {
    return common(quick)
        .include(include)
        .warmupIterations(quick ? 3 : 4)
        .warmupTime(TimeValue.milliseconds(quick ? 200 : 1000))
        .measurementIterations(quick ? 5 : 6)
        .measurementTime(TimeValue.milliseconds(quick ? 150 : 1000));
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
      int threads = BenchMain.VIRTUAL_THREADS.getOrDefault(method, p.getThreads());
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
    String scenario = BenchMain.SCENARIOS.getOrDefault(method, method);
    return synchronous == null ? scenario : scenario + "-" + synchronous.toLowerCase(Locale.ROOT);
  }

  private static int scenarioOrder(String scenario) {
    List<String> order = List.copyOf(BenchMain.SCENARIOS.values());
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
