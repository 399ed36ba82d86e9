package dev.lockstep.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;

/**
 * Suites {@code docs} (issue 10 §6) and {@code fsm} (issue 11 §5): the JMH runs, the non-JMH
 * scenarios ({@link DocProcesses}, {@link FsmRace}), the comparisons and the checks.
 */
final class DocsFsmSuites {
  private DocsFsmSuites() {}

  static void docs(Report report, boolean quick, PrintStream out) throws Exception {
    List<RunResult> results = new ArrayList<>();
    results.addAll(
        BenchMain.jmh(
            out,
            BenchMain.throughput(quick, BenchMain.method(DocsBenchmark.class, "update1t"))
                .jvmArgsAppend(NATIVE_ACCESS)
                .param("impl", DocsBenchmark.UPDATE_1T.toArray(String[]::new)),
            "docs update-1t",
            DocsBenchmark.UPDATE_1T.size()));
    results.addAll(
        BenchMain.jmh(
            out,
            BenchMain.throughput(quick, BenchMain.method(DocsBenchmark.class, "update8t"))
                .jvmArgsAppend(NATIVE_ACCESS)
                .param("impl", DocsBenchmark.UPDATE_8T.toArray(String[]::new)),
            "docs update-8t",
            DocsBenchmark.UPDATE_8T.size()));
    BenchMain.addRows(report, results);
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
    }
  }

  /** sqlite-jdbc loads a native library; JDK 22+ warns unless native access is enabled. */
  static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

  static void fsm(Report report, boolean quick, PrintStream out) throws Exception {
    List<RunResult> results = new ArrayList<>();
    results.addAll(
        BenchMain.jmh(
            out,
            BenchMain.throughput(quick, FsmBenchmark.class).jvmArgsAppend(NATIVE_ACCESS),
            "fsm sqlite-8t",
            FsmBenchmark.NAMES.size() * 2));
    results.addAll(
        BenchMain.jmh(
            out,
            BenchMain.throughput(quick, FsmMemoryBenchmark.class),
            "fsm memory-1t",
            FsmMemoryBenchmark.NAMES.size()));
    BenchMain.addRows(report, results);
    for (String s : List.of("sqlite-8t-full", "sqlite-8t-normal")) {
      report.compareThroughput(s, FsmBenchmark.NAMES);
    }
    report.compareThroughput("memory-1t", FsmMemoryBenchmark.NAMES);
    floor(report, "sqlite-8t-full", Targets.FSM_SQLITE_FULL_MIN_OPS);
    floor(report, "sqlite-8t-normal", Targets.FSM_SQLITE_NORMAL_MIN_OPS);
    FsmRace.run(report, quick ? 200 : 1000, out);
    report.notes.add(
        "fsm: sqlite-8t = 8 threads on distinct entities, WAL, a fresh database per trial;"
            + " lockstep = SqliteOptions.defaults() (group commit, up to 256 per transaction);"
            + " memory-1t: lockstep's in-memory store keeps every attempt (replaced per iteration)");
  }

  /** Checks Lockstep's throughput in {@code scenario} against an absolute floor. */
  static void floor(Report report, String scenario, double minOps) {
    Report.Row r = report.find(scenario, "lockstep");
    if (r != null && r.opsPerSec() != null) {
      report.check(scenario, "lockstep", "opsPerSec", r.opsPerSec(), ">=", minOps, "required");
    }
  }
}
