package dev.lockstep.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;

/**
 * The results of one suite run: measured rows, comparisons with peers (with the targets of issue 9)
 * and absolute checks (allocation, memory). Prints tables and writes the JSON of BENCHMARKS.md.
 */
final class Report {

  /**
   * One measured row. {@code opsPerSec} may be null (memory and failed rows); extra fields (such as
   * a start-up median or a memory figure) go to the JSON as they are.
   */
  record Row(
      String scenario,
      String impl,
      int threads,
      Double opsPerSec,
      Double opsError,
      Double p99Micros,
      Double allocBytesPerOp,
      Map<String, Object> extra) {}

  /**
   * Lockstep against one peer: {@code ratio} is higher-is-better for Lockstep (throughput ratio, or
   * the peer's latency over Lockstep's). {@code target} is null when the issue sets none; {@code
   * kind} is "required" or "aim".
   */
  record Comparison(
      String scenario, String peer, double ratio, Double target, String kind, Boolean met) {}

  /** An absolute target: {@code value op target}, e.g. bytes per held key {@code <=} 120. */
  record Check(
      String scenario,
      String impl,
      String metric,
      double value,
      String op,
      double target,
      String kind,
      boolean met) {}

  final String suite;
  final boolean quick;
  final List<Row> rows = new ArrayList<>();
  final List<Comparison> comparisons = new ArrayList<>();
  final List<Check> checks = new ArrayList<>();
  final List<String> notes = new ArrayList<>();

  /**
   * Per row ({@link #forkKey}), the throughput of each of its JMH forks in run order: with {@link
   * Jmh#interleaved} rounds, one fork per round.
   */
  final Map<String, List<Double>> forkOps = new LinkedHashMap<>();

  /** The key of a row in {@link #forkOps}. */
  static String forkKey(String scenario, String impl) {
    return scenario + "/" + impl;
  }

  /** The load average when the run began, to tell a quiet machine from a busy one. */
  final double loadAtStart = Machine.loadAverage();

  Report(String suite, boolean quick) {
    this.suite = suite;
    this.quick = quick;
  }

  Row find(String scenario, String impl) {
    for (Row r : rows) {
      if (r.scenario().equals(scenario) && r.impl().equals(impl)) {
        return r;
      }
    }
    return null;
  }

  /**
   * Adds the throughput comparisons of {@code scenario}: Lockstep against every other
   * implementation that has a row, with the target where it sets one.
   */
  void compareThroughput(String scenario, List<String> impls) {
    compareThroughput(scenario, "lockstep", impls);
  }

  /**
   * Compares Lockstep's implementation {@code mineImpl} with the other implementations in {@code
   * impls} ({@code lockstep} with all of them, a variant only with the peers). A variant other than
   * {@code lockstep} (e.g. {@code lockstep-scoped}) names its comparisons {@code "peer (variant)"},
   * so both stay visible.
   */
  void compareThroughput(String scenario, String mineImpl, List<String> impls) {
    Row mine = find(scenario, mineImpl);
    if (mine == null || mine.opsPerSec() == null) {
      return;
    }
    for (String peer : impls) {
      if (peer.equals(mineImpl)
          || peer.equals("lockstep")
          || (!mineImpl.equals("lockstep") && peer.startsWith("lockstep"))) {
        continue; // a variant is compared with the peers only, not with Lockstep's other forms
      }
      Row theirs = find(scenario, peer);
      if (theirs == null || theirs.opsPerSec() == null || theirs.opsPerSec() <= 0) {
        continue;
      }
      String label = mineImpl.equals("lockstep") ? peer : peer + " (" + mineImpl + ")";
      compare(scenario, label, mine.opsPerSec() / theirs.opsPerSec());
      noteRounds(scenario, label, mineImpl, peer);
    }
  }

  /**
   * For a comparison with a target, notes the ratio of each interleaved round (fork {@code i} of
   * Lockstep against fork {@code i} of the peer, run minutes apart at most) and how many rounds
   * meet the target: the spread a single ratio hides.
   */
  private void noteRounds(String scenario, String label, String mineImpl, String peer) {
    noteRounds(scenario, mineImpl, scenario, peer, label);
  }

  /**
   * As {@link #noteRounds(String, String, String, String)}, for Lockstep's {@code mineImpl} in
   * {@code scenario} against {@code peer} in {@code peerScenario} (the comparison named {@code
   * label}), e.g. 8 updating threads against one thread's fsync-rename.
   */
  void noteRounds(
      String scenario, String mineImpl, String peerScenario, String peer, String label) {
    Targets.Target t = Targets.ratio(suite, scenario, label);
    List<Double> mine = forkOps.get(forkKey(scenario, mineImpl));
    List<Double> theirs = forkOps.get(forkKey(peerScenario, peer));
    if (t == null || mine == null || theirs == null || mine.size() < 2) {
      return;
    }
    if (mine.size() != theirs.size()) {
      return;
    }
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < mine.size(); i++) {
      ratios.add(mine.get(i) / theirs.get(i));
    }
    notes.add(
        scenario
            + " vs "
            + label
            + ", round by round: "
            + byRound(ratios, t.value(), r -> fixed(r, 2) + "x", ""));
  }

  /**
   * {@code "v1, v2, …UNIT (k of n rounds >= MIN)"}: each round's value and the target {@code min},
   * written by {@code format}, and how many rounds reach it.
   */
  static String byRound(
      List<Double> values, double min, DoubleFunction<String> format, String unit) {
    List<String> each = new ArrayList<>();
    for (double v : values) {
      each.add(format.apply(v));
    }
    long met = values.stream().filter(v -> v >= min).count();
    return String.join(", ", each)
        + unit
        + " ("
        + met
        + " of "
        + values.size()
        + " rounds >= "
        + format.apply(min)
        + ")";
  }

  /** Adds one comparison, looking up its target. */
  void compare(String scenario, String peer, double ratio) {
    Targets.Target t = Targets.ratio(suite, scenario, peer);
    comparisons.add(
        new Comparison(
            scenario,
            peer,
            ratio,
            t == null ? null : t.value(),
            t == null ? null : t.kind(),
            t == null ? null : ratio >= t.value()));
  }

  void check(
      String scenario,
      String impl,
      String metric,
      double value,
      String op,
      double target,
      String kind) {
    boolean met =
        switch (op) {
          case "<=" -> value <= target;
          case ">=" -> value >= target;
          case "==" -> value == target;
          default -> throw new IllegalArgumentException(op);
        };
    checks.add(new Check(scenario, impl, metric, value, op, target, kind, met));
  }

  // ---------------------------------------------------------------- text

  void print(PrintStream out) {
    out.println();
    out.printf(
        Locale.ROOT,
        "Suite %s (%s) on %d cores, JDK %s; load average %.1f at start, %.1f at end%n",
        suite,
        quick ? "quick" : "full",
        Machine.cores(),
        Machine.jdk(),
        loadAtStart,
        Machine.loadAverage());
    boolean anyAlloc = rows.stream().anyMatch(r -> r.allocBytesPerOp() != null);
    List<String[]> table = new ArrayList<>();
    table.add(
        anyAlloc
            ? new String[] {"scenario", "impl", "threads", "ops/s", "±", "alloc B/op", "notes"}
            : new String[] {"scenario", "impl", "threads", "ops/s", "±", "notes"});
    for (Row r : rows) {
      List<String> cells = new ArrayList<>();
      cells.add(r.scenario());
      cells.add(r.impl());
      cells.add(Integer.toString(r.threads()));
      cells.add(r.opsPerSec() == null ? "-" : ops(r.opsPerSec()));
      cells.add(
          r.opsError() == null || r.opsError().isNaN() || r.opsPerSec() == null
              ? ""
              : fixed(100 * r.opsError() / r.opsPerSec(), 0) + "%");
      if (anyAlloc) {
        cells.add(r.allocBytesPerOp() == null ? "-" : fixed(r.allocBytesPerOp(), 1));
      }
      cells.add(describe(r.extra()));
      table.add(cells.toArray(String[]::new));
    }
    printTable(out, table);
    for (Row r : rows) {
      if (r.extra() != null && r.extra().get("command") != null) {
        out.println("  " + r.impl() + ": " + r.extra().get("command"));
      }
    }

    if (!comparisons.isEmpty()) {
      out.println();
      out.println("Comparisons (ratio = Lockstep / peer, higher is better for Lockstep)");
      List<String[]> ct = new ArrayList<>();
      ct.add(new String[] {"scenario", "peer", "ratio", "target", "met"});
      for (Comparison c : comparisons) {
        ct.add(
            new String[] {
              c.scenario(),
              c.peer(),
              fixed(c.ratio(), 2) + "x",
              c.target() == null ? "-" : ">= " + fixed(c.target(), 2) + "x" + aim(c.kind()),
              c.met() == null ? "" : c.met() ? "yes" : "NO"
            });
      }
      printTable(out, ct);
    }
    if (!checks.isEmpty()) {
      out.println();
      out.println("Checks");
      List<String[]> kt = new ArrayList<>();
      kt.add(new String[] {"scenario", "impl", "metric", "value", "target", "met"});
      for (Check c : checks) {
        kt.add(
            new String[] {
              c.scenario(),
              c.impl(),
              c.metric(),
              fixed(c.value(), 1),
              c.op() + " " + fixed(c.target(), 0) + aim(c.kind()),
              c.met() ? "yes" : "NO"
            });
      }
      printTable(out, kt);
    }
    for (String note : notes) {
      out.println("note: " + note);
    }
  }

  private static String aim(String kind) {
    return "aim".equals(kind) ? " (aim)" : "";
  }

  private static String describe(Map<String, Object> extra) {
    if (extra == null || extra.isEmpty()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    extra.forEach(
        (k, v) -> {
          if (!k.equals("command")) { // printed once below the table
            String value = v instanceof Double d ? fixed(d, d < 100 ? 2 : 0) : String.valueOf(v);
            parts.add(k + "=" + value);
          }
        });
    return String.join(", ", parts);
  }

  static String ops(double v) {
    if (v >= 1e6) {
      return fixed(v / 1e6, 2) + "M";
    }
    if (v >= 1e3) {
      return fixed(v / 1e3, 1) + "k";
    }
    return fixed(v, 1);
  }

  static String fixed(double v, int decimals) {
    return String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }

  private static void printTable(PrintStream out, List<String[]> table) {
    int cols = table.get(0).length;
    int[] width = new int[cols];
    for (String[] row : table) {
      for (int i = 0; i < cols; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (int r = 0; r < table.size(); r++) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        String cell = table.get(r)[i];
        boolean left = i < 2 || i == cols - 1;
        String pad = " ".repeat(width[i] - cell.length());
        sb.append(left ? cell + pad : pad + cell);
        if (i + 1 < cols) {
          sb.append("  ");
        }
      }
      out.println(sb.toString().stripTrailing());
      if (r == 0) {
        int total = 0;
        for (int w : width) {
          total += w + 2;
        }
        out.println("-".repeat(total - 2));
      }
    }
  }

  // ---------------------------------------------------------------- JSON

  Map<String, Object> toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("suite", suite);
    root.put("mode", quick ? "quick" : "full");
    root.put("date", LocalDate.now().toString());
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cores", Machine.cores());
    machine.put("jdk", Machine.jdk());
    machine.put("os", Machine.os());
    machine.put("loadAverageAtStart", loadAtStart);
    machine.put("loadAverageAtEnd", Machine.loadAverage());
    root.put("machine", machine);
    List<Object> results = new ArrayList<>();
    for (Row r : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("scenario", r.scenario());
      m.put("impl", r.impl());
      m.put("threads", r.threads());
      m.put("opsPerSec", r.opsPerSec());
      m.put("p99Micros", r.p99Micros());
      m.put("allocBytesPerOp", r.allocBytesPerOp());
      if (r.opsError() != null && !r.opsError().isNaN()) {
        m.put("opsPerSecError", r.opsError());
      }
      if (r.extra() != null) {
        m.putAll(r.extra());
      }
      results.add(m);
    }
    root.put("results", results);
    List<Object> comps = new ArrayList<>();
    for (Comparison c : comparisons) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("scenario", c.scenario());
      m.put("impl", "lockstep");
      m.put("peer", c.peer());
      m.put("ratio", c.ratio());
      m.put("target", c.target());
      if (c.kind() != null) {
        m.put("targetKind", c.kind());
      }
      m.put("met", c.met());
      comps.add(m);
    }
    root.put("comparisons", comps);
    if (!checks.isEmpty()) {
      List<Object> ks = new ArrayList<>();
      for (Check c : checks) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", c.scenario());
        m.put("impl", c.impl());
        m.put("metric", c.metric());
        m.put("value", c.value());
        m.put("op", c.op());
        m.put("target", c.target());
        m.put("targetKind", c.kind());
        m.put("met", c.met());
        ks.add(m);
      }
      root.put("checks", ks);
    }
    if (!notes.isEmpty()) {
      root.put("notes", notes);
    }
    return root;
  }

  void writeJson(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, Json.write(toJson()));
  }
}
