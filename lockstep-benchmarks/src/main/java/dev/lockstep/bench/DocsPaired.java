package dev.lockstep.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * Scenarios {@code update-8t-paired} and {@code update-1t-paired} of suite {@code docs} (no JMH):
 * Lockstep and the disk's own {@code fsync-rename} measured in adjacent one-second slices of one
 * JVM, so that each of Lockstep's slices is compared with a peer slice taken seconds away on the
 * disk as it is then.
 *
 * <p>Why: both docs targets are ratios to what the disk itself does, and this VM's disk changes
 * speed on its own, by a factor of two, over tens of seconds (session 14, a plain fsync-rename
 * loop: 1,300/s for 40 s; after a 25 s pause 600/s; mid-run 1,060/s falling to 630/s within a
 * second and staying there). The JMH rows compare a Lockstep fork with a peer fork run a minute or
 * more apart, so their ratio moved with the disk (session 13's update-8t rounds: 2.66x to 7.45x).
 * Here every round runs the peer, 8-thread Lockstep and 1-thread Lockstep for one second each, in
 * an order that rotates from round to round, and each round's ratios use only that round's slices.
 *
 * <p>Each slice runs its threads (platform threads, as JMH's) until the second is up and lets the
 * update in flight finish; its rate is the updates done over the time until the last thread
 * returned. Lockstep is warmed up first for as long as the JMH rows' warm-up (C2 takes 5 to 8
 * seconds on the store's path, see {@link DocsFsmSuites}).
 */
final class DocsPaired {
  static final String SCENARIO_8T = "update-8t-paired";
  static final String SCENARIO_1T = "update-1t-paired";
  static final String PEER = "fsync-rename";

  private DocsPaired() {}

  /** One round's rates, in updates per second. */
  record Round(double peer, double eight, double one) {}

  /**
   * The paired slices alone, by hand: {@code java -cp lockstep-benchmarks.jar
   * dev.lockstep.bench.DocsPaired [rounds]} (default 12), for old-against-new comparisons of the
   * library under one benchmark.
   */
  public static void main(String[] args) throws Exception {
    Report report = new Report("docs", false);
    run(report, args.length > 0 ? Integer.parseInt(args[0]) : 12, 10, System.out);
    report.notes.forEach(System.out::println);
  }

  static void run(Report report, boolean quick, PrintStream out) throws Exception {
    run(report, quick ? 2 : 12, quick ? 3 : 10, out);
  }

  private static void run(Report report, int rounds, int warmSeconds, PrintStream out)
      throws Exception {
    long slice = 1_000_000_000L;
    Path mineDir = TempDirs.create("docs-paired-lockstep");
    Path peerDir = TempDirs.create("docs-paired-peer");
    List<Round> measured = new ArrayList<>();
    try (DocWriter mine = DocsBenchmark.create("lockstep", mineDir);
        DocWriter peer = DocsBenchmark.create(PEER, peerDir)) {
      out.println(
          "docs paired slices: warming up, then "
              + rounds
              + " rounds of 3 x 1 s (fsync-rename, lockstep 8 threads, lockstep 1 thread)");
      rate(mine, 8, warmSeconds * slice);
      rate(mine, 1, 2 * slice);
      rate(peer, 1, 2 * slice);
      for (int r = 0; r < rounds; r++) {
        double[] rates = new double[3];
        for (int i = 0; i < 3; i++) {
          int which = (i + r) % 3;
          rates[which] =
              switch (which) {
                case 0 -> rate(peer, 1, slice);
                case 1 -> rate(mine, 8, slice);
                default -> rate(mine, 1, slice);
              };
        }
        Round round = new Round(rates[0], rates[1], rates[2]);
        measured.add(round);
        out.printf(
            Locale.ROOT,
            "  round %2d: fsync-rename %6.0f/s  lockstep-8t %6.0f/s (%.2fx)  lockstep-1t %6.0f/s"
                + " (%.2fx)%n",
            r + 1,
            round.peer(),
            round.eight(),
            round.eight() / round.peer(),
            round.one(),
            round.one() / round.peer());
      }
    } finally {
      TempDirs.delete(mineDir);
      TempDirs.delete(peerDir);
    }
    addResults(report, measured);
  }

  /**
   * Adds the rows (mean rates), the two comparisons (ratio of the mean rates, as the JMH rows'
   * comparisons are) and a note with every round's ratio.
   */
  static void addResults(Report report, List<Round> rounds) {
    double peer = mean(rounds, Round::peer);
    double eight = mean(rounds, Round::eight);
    double one = mean(rounds, Round::one);
    report.rows.add(new Report.Row(SCENARIO_8T, "lockstep", 8, eight, null, null, null, null));
    report.rows.add(new Report.Row(SCENARIO_8T, PEER, 1, peer, null, null, null, null));
    report.rows.add(new Report.Row(SCENARIO_1T, "lockstep", 1, one, null, null, null, null));
    report.rows.add(new Report.Row(SCENARIO_1T, PEER, 1, peer, null, null, null, null));
    report.compare(SCENARIO_8T, PEER, eight / peer);
    report.compare(SCENARIO_1T, PEER, one / peer);
    note(report, SCENARIO_8T, rounds, r -> r.eight() / r.peer());
    note(report, SCENARIO_1T, rounds, r -> r.one() / r.peer());
  }

  private static void note(
      Report report, String scenario, List<Round> rounds, ToDoubleFunction<Round> ratio) {
    Targets.Target t = Targets.ratio(report.suite, scenario, PEER);
    List<Double> ratios = new ArrayList<>();
    for (Round r : rounds) {
      ratios.add(ratio.applyAsDouble(r));
    }
    report.notes.add(
        scenario
            + " vs "
            + PEER
            + " in adjacent 1 s slices, round by round: "
            + Report.byRound(ratios, t == null ? 0 : t.value(), v -> Report.fixed(v, 2) + "x", ""));
  }

  private static double mean(List<Round> rounds, ToDoubleFunction<Round> f) {
    return rounds.stream().mapToDouble(f).average().orElse(0);
  }

  /**
   * Runs {@code threads} platform threads calling {@code writer.update()} until {@code nanos} have
   * passed, and returns updates per second over the time until the last one returned.
   */
  static double rate(DocWriter writer, int threads, long nanos) throws Exception {
    long[] counts = new long[threads];
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> running = new ArrayList<>();
    long start = System.nanoTime();
    long deadline = start + nanos;
    for (int i = 0; i < threads; i++) {
      int me = i;
      running.add(
          Thread.ofPlatform()
              .name("docs-paired-" + i)
              .start(
                  () -> {
                    try {
                      long n = 0;
                      while (System.nanoTime() < deadline && failure.get() == null) {
                        writer.update();
                        n++;
                      }
                      counts[me] = n;
                    } catch (Throwable e) {
                      failure.compareAndSet(null, e);
                    } finally {
                      ThreadCpu.callerDone();
                    }
                  }));
    }
    for (Thread t : running) {
      t.join();
    }
    long elapsed = System.nanoTime() - start;
    Throwable e = failure.get();
    if (e != null) {
      throw new IllegalStateException("docs paired slice failed: " + e, e);
    }
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    return total * 1e9 / elapsed;
  }
}
