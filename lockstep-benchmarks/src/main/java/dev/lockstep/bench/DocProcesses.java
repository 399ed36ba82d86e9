package dev.lockstep.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lockstep.doc.Change;
import dev.lockstep.doc.DocumentCodecs;
import dev.lockstep.doc.DocumentOptions;
import dev.lockstep.doc.DocumentStore;
import dev.lockstep.doc.Versioned;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Scenario {@code processes-8x50} of suite {@code docs} (no JMH): child JVMs started from the bench
 * jar each update one document {@code updates} times with {@link DocumentOptions#defaults()}, all
 * starting at one signal; then the parent counts lost and refused updates and checks the revisions.
 *
 * <p>Child protocol: the child opens the store, prints {@code ready} and waits for a line on stdin;
 * then it prints {@code rev N} for every committed update and {@code refused MESSAGE} for every
 * update that threw, and finally {@code done}.
 */
final class DocProcesses {
  static final String SCENARIO = "processes-8x50";

  private DocProcesses() {}

  /** What every child said: the revisions it was given, and how many updates it was refused. */
  record ChildReport(List<Long> revisions, int refused, List<String> errors) {}

  /**
   * The verdict. {@code lost}: updates their callers were told committed but whose increment the
   * final counter lacks (negative if the counter moved more than the callers were told). {@code
   * duplicateRevisions}: revisions handed to more than one caller. {@code contiguous}: the handed
   * out revisions are exactly {@code initialRevision+1 ... finalRevision}.
   */
  record Verdict(
      int expected,
      int committed,
      int refused,
      long lost,
      int duplicateRevisions,
      boolean contiguous,
      long finalCounter,
      long finalRevision) {}

  /**
   * Judges a run: {@code initialCounter}/{@code initialRevision} before the children started,
   * {@code finalCounter}/{@code finalRevision} after they all exited.
   */
  static Verdict judge(
      int expected,
      long initialCounter,
      long initialRevision,
      List<ChildReport> children,
      long finalCounter,
      long finalRevision) {
    List<Long> all = new ArrayList<>();
    int refused = 0;
    for (ChildReport c : children) {
      all.addAll(c.revisions());
      refused += c.refused();
    }
    List<Long> sorted = all.stream().sorted().toList();
    int duplicates = 0;
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).equals(sorted.get(i - 1))) {
        duplicates++;
      }
    }
    boolean contiguous = finalRevision == initialRevision + sorted.size();
    for (int i = 0; contiguous && i < sorted.size(); i++) {
      contiguous = sorted.get(i) == initialRevision + 1 + i;
    }
    long lost = all.size() - (finalCounter - initialCounter);
    return new Verdict(
        expected, all.size(), refused, lost, duplicates, contiguous, finalCounter, finalRevision);
  }

  /** Parses one child's standard output. */
  static ChildReport parse(List<String> lines) {
    List<Long> revisions = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    int refused = 0;
    for (String line : lines) {
      if (line.startsWith("rev ")) {
        revisions.add(Long.parseLong(line.substring(4).trim()));
      } else if (line.startsWith("refused")) {
        refused++;
        errors.add(line.substring("refused".length()).trim());
      }
    }
    return new ChildReport(revisions, refused, errors);
  }

  /** A finished run: the verdict, the wall time from the start signal, what each child said. */
  record Run(Verdict verdict, double seconds, List<ChildReport> children, HandOffs handOffs) {}

  /**
   * How the lock moved between processes, from the change log: of the {@code pairs} consecutive
   * commits, {@code handOffs} were by another process than the one before; the median time between
   * consecutive commits by the same process and by another one (NaN when there is none).
   */
  record HandOffs(int pairs, int handOffs, double medianSameMillis, double medianOtherMillis) {}

  /** Hand-off statistics of commits given as (pid, time) in log order. */
  static HandOffs handOffs(List<Change> commits) {
    List<Double> same = new ArrayList<>();
    List<Double> other = new ArrayList<>();
    for (int i = 1; i < commits.size(); i++) {
      Change a = commits.get(i - 1);
      Change b = commits.get(i);
      double gap = Duration.between(a.time(), b.time()).toNanos() / 1e6;
      (a.pid() == b.pid() ? same : other).add(gap);
    }
    return new HandOffs(Math.max(0, commits.size() - 1), other.size(), median(same), median(other));
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Runs the scenario and adds its row and checks to {@code report}. */
  static void run(Report report, int processes, int updates, PrintStream out) throws Exception {
    out.printf("%s: %d child JVMs x %d updates%n", SCENARIO, processes, updates);
    Path dir = TempDirs.create("docs-processes");
    try {
      Run run = execute(dir, processes, updates, false);
      record(report, processes, run.verdict(), run.seconds());
      HandOffs h = run.handOffs();
      report.notes.add(
          String.format(
              java.util.Locale.ROOT,
              "%s: of %d consecutive commits %d changed process (lock hand-offs); median gap"
                  + " %.1f ms to a commit by the same process, %.1f ms to one by another",
              SCENARIO,
              h.pairs(),
              h.handOffs(),
              h.medianSameMillis(),
              h.medianOtherMillis()));
      for (ChildReport r : run.children()) {
        for (String e : r.errors()) {
          report.notes.add(SCENARIO + ": refused: " + e);
        }
      }
    } finally {
      TempDirs.delete(dir);
    }
  }

  /**
   * Creates the document in {@code dir}, runs the children and judges the result.
   *
   * @param unlocked the deliberately broken variant: children read, increment and write the file
   *     themselves, without the store or its lock (to show that the checks can fail)
   */
  static Run execute(Path dir, int processes, int updates, boolean unlocked) throws Exception {
    Path doc = dir.resolve(LockstepDocWriter.FILE);
    long initialCounter;
    long initialRevision;
    try (DocumentStore<ObjectNode> store =
        DocumentStore.open(doc, DocumentCodecs.yaml(), DocumentOptions.defaults())) {
      Versioned<ObjectNode> v = store.createIfAbsent(LockstepDocWriter.initialDocument());
      initialCounter = v.value().path("counter").asLong();
      initialRevision = v.revision();
    }
    List<Process> children = new ArrayList<>();
    List<BufferedReader> readers = new ArrayList<>();
    try {
      for (int i = 0; i < processes; i++) {
        List<String> cmd =
            new ArrayList<>(
                List.of(
                    javaCommand(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp",
                    System.getProperty("java.class.path"),
                    DocProcesses.class.getName(),
                    doc.toString(),
                    Integer.toString(updates)));
        if (unlocked) {
          cmd.add(UNLOCKED);
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(p);
        readers.add(
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
      }
      for (int i = 0; i < processes; i++) {
        String line = readers.get(i).readLine();
        if (!"ready".equals(line)) {
          throw new IllegalStateException(
              SCENARIO + ": child " + i + " did not get ready, said: " + line);
        }
      }
      long t0 = System.nanoTime();
      for (Process p : children) {
        OutputStream go = p.getOutputStream();
        go.write("go\n".getBytes(StandardCharsets.UTF_8));
        go.flush();
      }
      List<ChildReport> reports = new ArrayList<>();
      for (int i = 0; i < processes; i++) {
        List<String> lines = readers.get(i).lines().toList();
        if (!children.get(i).waitFor(5, TimeUnit.MINUTES)) {
          throw new IllegalStateException(SCENARIO + ": child " + i + " did not exit");
        }
        if (lines.isEmpty() || !lines.get(lines.size() - 1).equals("done")) {
          throw new IllegalStateException(
              SCENARIO + ": child " + i + " exited " + children.get(i).exitValue() + " early");
        }
        reports.add(parse(lines));
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      Versioned<ObjectNode> after;
      HandOffs handOffs;
      try (DocumentStore<ObjectNode> store =
          DocumentStore.open(doc, DocumentCodecs.yaml(), DocumentOptions.defaults())) {
        after = store.read();
        handOffs =
            handOffs(
                store.history().stream()
                    .filter(c -> c.operation() == Change.Operation.UPDATE)
                    .toList());
      }
      Verdict v =
          judge(
              processes * updates,
              initialCounter,
              initialRevision,
              reports,
              after.value().path("counter").asLong(),
              after.revision());
      return new Run(v, seconds, reports, handOffs);
    } finally {
      for (Process p : children) {
        p.destroyForcibly();
      }
    }
  }

  static void record(Report report, int processes, Verdict v, double seconds) {
    java.util.Map<String, Object> extra = new java.util.LinkedHashMap<>();
    extra.put("committed", v.committed());
    extra.put("lost", v.lost());
    extra.put("refused", v.refused());
    extra.put("duplicateRevisions", v.duplicateRevisions());
    extra.put("revisionsContiguous", v.contiguous());
    extra.put("finalCounter", v.finalCounter());
    report.rows.add(
        new Report.Row(
            SCENARIO, "lockstep", processes, v.committed() / seconds, null, null, null, extra));
    report.check(SCENARIO, "lockstep", "lost", v.lost(), "==", 0, "required");
    report.check(SCENARIO, "lockstep", "refused", v.refused(), "==", 0, "required");
    report.check(
        SCENARIO, "lockstep", "duplicateRevisions", v.duplicateRevisions(), "==", 0, "required");
    report.check(
        SCENARIO, "lockstep", "revisionsContiguous", v.contiguous() ? 1 : 0, "==", 1, "required");
    report.check(SCENARIO, "lockstep", "committed", v.committed(), "==", v.expected(), "required");
  }

  static String javaCommand() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** The child's third argument for the broken variant of {@link #execute}. */
  static final String UNLOCKED = "--unlocked";

  /** The child: {@code DocProcesses DOCUMENT UPDATES [--unlocked]}. */
  public static void main(String[] args) throws Exception {
    Path doc = Path.of(args[0]);
    int updates = Integer.parseInt(args[1]);
    boolean unlocked = args.length > 2 && args[2].equals(UNLOCKED);
    PrintStream out = System.out;
    try (DocumentStore<ObjectNode> store =
        DocumentStore.open(doc, DocumentCodecs.yaml(), DocumentOptions.defaults())) {
      out.println("ready");
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      if (in.readLine() == null) {
        return; // the parent went away
      }
      for (int i = 0; i < updates; i++) {
        try {
          long revision =
              unlocked ? unlockedIncrement(doc) : LockstepDocWriter.increment(store).revision();
          out.println("rev " + revision);
        } catch (Exception e) { // any failure is a refused update, counted and shown
          out.println("refused " + e.getClass().getSimpleName() + ": " + oneLine(e.getMessage()));
        }
      }
    }
    out.println("done");
    out.flush();
  }

  /** The seeds' bug, for the broken variant: read, increment, write back, no lock. */
  private static long unlockedIncrement(Path doc) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    ObjectNode tree = (ObjectNode) yaml.readTree(Files.readAllBytes(doc));
    long revision = tree.path("revision").asLong() + 1;
    tree.put("revision", revision);
    tree.put("counter", tree.path("counter").asLong() + 1);
    Path tmp = doc.resolveSibling(".unlocked-" + ProcessHandle.current().pid());
    Files.write(tmp, yaml.writeValueAsBytes(tree));
    Files.move(tmp, doc, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return revision;
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replace('\n', ' ');
  }
}
