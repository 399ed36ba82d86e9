package dev.lockstep.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;

/**
 * Suites {@code docs} (issue 10 §6) and {@code fsm} (issue 11 §5): the JMH runs, the non-JMH
 * scenarios ({@link DocProcesses}, {@link FsmRace}), the comparisons and the checks.
 */
final class DocsFsmSuites {
  private DocsFsmSuites() {}

  /**
   * A full run's forks warm up for 10 one-second iterations, not {@link Jmh#throughput}'s 4: the
   * store's path (Jackson, YAML, the commit writer, group commit) takes C2 5 to 8 seconds to
   * compile on 2 cores while 8 updaters keep both busy, and until then update-8t runs at about half
   * its steady rate (session 13, per-iteration JMH of one fork: 2.8k, 3.2k, 3.1k, 3.2k, 3.1k, then
   * 6.8k, 6.4k, 6.2k, 6.3k updates/s; with {@code -XX:TieredStopAtLevel=1} it never rises). 4
   * warm-up iterations made each round land somewhere on that ramp, so the ratio moved with when C2
   * finished rather than with the code. The peers (a few system calls) are warm after one iteration
   * either way; they get the same warm-up.
   */
  private static ChainedOptionsBuilder docsThroughput(boolean quick, String method) {
    return Jmh.throughput(quick, Jmh.method(DocsBenchmark.class, method))
        .warmupIterations(quick ? 3 : 10)
        .jvmArgsAppend(NATIVE_ACCESS);
  }

  static void docs(Report report, boolean quick, PrintStream out) throws Exception {
    List<RunResult> results = new ArrayList<>();
    results.addAll(
        Jmh.interleaved(
            out,
            docsThroughput(quick, "update1t")
                .param("impl", DocsBenchmark.UPDATE_1T.toArray(String[]::new)),
            "docs update-1t",
            DocsBenchmark.UPDATE_1T.size(),
            Jmh.rounds(quick, 3)));
    results.addAll(
        Jmh.interleaved(
            out,
            docsThroughput(quick, "update8t")
                .param("impl", DocsBenchmark.UPDATE_8T.toArray(String[]::new)),
            "docs update-8t",
            DocsBenchmark.UPDATE_8T.size(),
            Jmh.rounds(quick, 3)));
    Jmh.addRows(report, results);
    DocsPaired.run(report, quick, out);
    DocProcesses.run(report, 8, 50, out);
    Report.Row procs = report.find(DocProcesses.SCENARIO, "lockstep");
    Report.Row single = report.find("update-1t", "lockstep");
    if (procs != null && single != null && single.opsPerSec() != null) {
      report.notes.add(
          String.format(
              Locale.ROOT,
              "%s: %.0f updates/s across 8 processes = %.2fx lockstep update-1t in one JVM"
                  + " (no group commit across processes: each update is its own commit and"
                  + " lock hand-off)",
              DocProcesses.SCENARIO,
              procs.opsPerSec(),
              procs.opsPerSec() / single.opsPerSec()));
    }
    report.compareThroughput("update-1t", DocsBenchmark.NAMES);
    report.compareThroughput("update-8t", DocsBenchmark.NAMES);
    compareAcross(report, "update-8t", "update-1t", "fsync-rename", Targets.CROSS_FSYNC_RENAME_1T);
    report.notes.add(
        "docs: a 4 KiB YAML document; lockstep = DocumentStore with DocumentOptions.defaults()"
            + " (durability FULL, 3 backups, change log, group commit on); lockstep-no-fsync ="
            + " durability NONE (the store's CPU cost without the disk; not durable); seed-style"
            + " never fsyncs (not durable); append-fdatasync appends 200-byte records; temp dirs under "
            + System.getProperty("java.io.tmpdir"));
  }

  /**
   * Adds the comparison of Lockstep in {@code scenario} against {@code peer} in {@code
   * peerScenario}, named {@code peerName}.
   */
  static void compareAcross(
      Report report, String scenario, String peerScenario, String peer, String peerName) {
    Report.Row mine = report.find(scenario, "lockstep");
    Report.Row theirs = report.find(peerScenario, peer);
    if (mine != null
        && theirs != null
        && mine.opsPerSec() != null
        && theirs.opsPerSec() != null
        && theirs.opsPerSec() > 0) {
      report.compare(scenario, peerName, mine.opsPerSec() / theirs.opsPerSec());
      report.noteRounds(scenario, "lockstep", peerScenario, peer, peerName);
    }
  }

  /** sqlite-jdbc loads a native library; JDK 22+ warns unless native access is enabled. */
  static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

  static void fsm(Report report, boolean quick, PrintStream out) throws Exception {
    List<RunResult> results = new ArrayList<>();
    results.addAll(
        Jmh.interleaved(
            out,
            Jmh.throughput(quick, Jmh.method(FsmBenchmark.class, "sqlite8t"))
                .jvmArgsAppend(NATIVE_ACCESS),
            "fsm sqlite-8t",
            FsmBenchmark.NAMES.size() * 2,
            Jmh.rounds(quick, 3)));
    results.addAll(
        Jmh.interleaved(
            out,
            Jmh.throughput(quick, Jmh.method(FsmBenchmark.class, ASYNC_METHOD))
                .jvmArgsAppend(NATIVE_ACCESS)
                .param("impl", FsmBenchmark.ASYNC_NAMES.toArray(String[]::new)),
            "fsm " + ASYNC_SCENARIO,
            FsmBenchmark.ASYNC_NAMES.size() * 2,
            Jmh.rounds(quick, 3)));
    results.addAll(
        Jmh.interleaved(
            out,
            Jmh.throughput(quick, FsmMemoryBenchmark.class),
            "fsm memory-1t",
            FsmMemoryBenchmark.NAMES.size(),
            Jmh.rounds(quick, 3)));
    Jmh.addRows(report, results);
    nameAsyncRows(report);
    for (String s : List.of("sqlite-8t-full", "sqlite-8t-normal")) {
      report.compareThroughput(s, FsmBenchmark.NAMES);
    }
    for (String s : List.of(ASYNC_SCENARIO + "-full", ASYNC_SCENARIO + "-normal")) {
      report.compareThroughput(s, FsmBenchmark.ASYNC_NAMES); // no target: information
    }
    report.compareThroughput("memory-1t", FsmMemoryBenchmark.NAMES);
    floor(report, "sqlite-8t-full", Targets.FSM_SQLITE_FULL_MIN_OPS);
    floor(report, "sqlite-8t-normal", Targets.FSM_SQLITE_NORMAL_MIN_OPS);
    asyncNote(report);
    FsmRace.run(report, quick ? 200 : 1000, out);
    report.notes.add(
        "fsm: sqlite-8t = 8 threads on distinct entities, WAL, a fresh database per trial;"
            + " lockstep = SqliteOptions.defaults() (group commit, up to 256 per transaction);"
            + " memory-1t: lockstep's in-memory store keeps every attempt (replaced per iteration)");
  }

  /** The JMH method of scenario {@link #ASYNC_SCENARIO}. */
  static final String ASYNC_METHOD = "sqlite8tAsync";

  /** The pipelined scenario: 8 threads, {@link FsmBenchmark#IN_FLIGHT} fires in flight each. */
  static final String ASYNC_SCENARIO = "sqlite-8t-async";

  /**
   * Names the rows of {@link #ASYNC_METHOD} ({@code BenchMain} knows only the other methods' names:
   * it reports them as {@code sqlite8tAsync-full}) {@code sqlite-8t-async-full} and {@code
   * -normal}, records the fires in flight, and moves them right after the {@code sqlite-8t} rows.
   */
  static void nameAsyncRows(Report report) {
    List<Report.Row> async = new ArrayList<>();
    int at = -1;
    for (int i = 0; i < report.rows.size(); i++) {
      Report.Row r = report.rows.get(i);
      if (r.scenario().startsWith(ASYNC_METHOD + "-")) {
        Map<String, Object> extra = new LinkedHashMap<>();
        if (r.extra() != null) {
          extra.putAll(r.extra());
        }
        extra.put("inFlight", FsmBenchmark.PIPELINED);
        async.add(
            new Report.Row(
                ASYNC_SCENARIO + r.scenario().substring(ASYNC_METHOD.length()),
                r.impl(),
                r.threads(),
                r.opsPerSec(),
                r.opsError(),
                r.p99Micros(),
                r.allocBytesPerOp(),
                extra));
      }
    }
    report.rows.removeIf(r -> r.scenario().startsWith(ASYNC_METHOD + "-"));
    for (int i = 0; i < report.rows.size(); i++) {
      if (report.rows.get(i).scenario().startsWith("sqlite-8t-")) {
        at = i + 1;
      }
    }
    async.sort(
        java.util.Comparator.comparing(Report.Row::scenario)
            .thenComparing(r -> FsmBenchmark.ASYNC_NAMES.indexOf(r.impl())));
    report.rows.addAll(at < 0 ? report.rows.size() : at, async);
  }

  /**
   * Reports {@link #ASYNC_SCENARIO} as information beside the anchor for a plain
   * group-commit writer; the targets stay on {@code sqlite-8t} (one fire in flight per thread).
   */
  static void asyncNote(Report report) {
    List<String> parts = new ArrayList<>();
    for (String sync : List.of("full", "normal")) {
      Report.Row r = report.find(ASYNC_SCENARIO + "-" + sync, "lockstep");
      Report.Row one = report.find("sqlite-8t-" + sync, "lockstep");
      if (r == null || r.opsPerSec() == null) {
        continue;
      }
      parts.add(
          String.format(
              Locale.ROOT,
              "%s lockstep %,.0f/s = %.2fx the anchor %,.0f/s%s",
              sync.toUpperCase(Locale.ROOT),
              r.opsPerSec(),
              r.opsPerSec() / Targets.fsmGroupCommitAnchor(sync),
              Targets.fsmGroupCommitAnchor(sync),
              one == null || one.opsPerSec() == null
                  ? ""
                  : String.format(
                      Locale.ROOT, ", %.2fx sqlite-8t", r.opsPerSec() / one.opsPerSec())));
    }
    if (!parts.isEmpty()) {
      report.notes.add(
          ASYNC_SCENARIO
              + " (information, not a target row; the targets are on sqlite-8t): "
              + FsmBenchmark.THREADS
              + " threads x "
              + FsmBenchmark.IN_FLIGHT
              + " async fires in flight on entities of their own, each acknowledged after its"
              + " COMMIT; against issue 11's plain group-commit writer (up to 64 per transaction): "
              + String.join("; ", parts));
    }
  }

  /** Checks Lockstep's throughput in {@code scenario} against an absolute floor. */
  static void floor(Report report, String scenario, double minOps) {
    Report.Row r = report.find(scenario, "lockstep");
    if (r != null && r.opsPerSec() != null) {
      report.check(scenario, "lockstep", "opsPerSec", r.opsPerSec(), ">=", minOps, "required");
      List<Double> rounds = report.forkOps.get(Report.forkKey(scenario, "lockstep"));
      if (rounds != null && rounds.size() > 1) {
        report.notes.add(
            scenario
                + " lockstep, round by round: "
                + Report.byRound(rounds, minOps, Report::ops, " ops/s"));
      }
    }
  }
}
