package dev.lockstep.bench;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Suite {@code startup} (no JMH): the median wall time of one-shot processes, run round-robin so
 * that machine noise hits every contender alike — {@code flock(1)}, a Python {@code filelock}
 * acquire+release, and {@code lockstep version} through the launcher.
 */
final class StartupBench {
  static final String SCENARIO = "one-shot";
  static final String PYTHON = "/usr/bin/python3";
  static final Path LOCK_DIR = Path.of(System.getProperty("java.io.tmpdir"));

  private StartupBench() {}

  /** One contender: a command, or the reason it cannot run. */
  record Contender(String impl, List<String> command, String unavailable, List<Double> millis) {
    Contender(String impl, List<String> command, String unavailable) {
      this(impl, command, unavailable, new ArrayList<>());
    }
  }

  static void run(Report report, boolean quick, PrintStream out)
      throws IOException, InterruptedException {
    int runs = quick ? 10 : 30;
    List<Contender> contenders = new ArrayList<>();
    contenders.add(flock());
    contenders.add(python());
    contenders.add(lockstep());

    // Warm-up (not counted): page cache, and the launcher builds or refreshes its jar if stale.
    for (Contender c : contenders) {
      if (c.unavailable() == null) {
        out.println("warming up " + c.impl() + ": " + shellQuoted(c.command()));
        String failure = warmUp(c);
        if (failure != null) {
          int i = contenders.indexOf(c);
          contenders.set(i, new Contender(c.impl(), c.command(), failure));
        }
      }
    }
    out.printf("measuring %d runs of each, round-robin%n", runs);
    for (int r = 0; r < runs; r++) {
      for (int i = 0; i < contenders.size(); i++) {
        Contender c = contenders.get(i);
        if (c.unavailable() != null) {
          continue;
        }
        long t0 = System.nanoTime();
        Process p =
            new ProcessBuilder(c.command())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        int status = p.waitFor();
        long t1 = System.nanoTime();
        if (status != 0) {
          contenders.set(
              i,
              new Contender(
                  c.impl(), c.command(), "exited with status " + status + " on run " + (r + 1)));
          continue;
        }
        c.millis().add((t1 - t0) / 1e6);
      }
    }

    Map<String, Double> medians = new LinkedHashMap<>();
    for (Contender c : contenders) {
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("command", shellQuoted(c.command()));
      if (c.unavailable() != null) {
        extra.put("error", c.unavailable());
        report.rows.add(new Report.Row(SCENARIO, c.impl(), 1, null, null, null, null, extra));
        report.notes.add(c.impl() + " not measured: " + c.unavailable());
        continue;
      }
      double[] ms = c.millis().stream().mapToDouble(Double::doubleValue).toArray();
      double median = MemoryProbe.median(ms);
      double[] sorted = ms.clone();
      java.util.Arrays.sort(sorted);
      extra.put("medianMs", median);
      extra.put("minMs", sorted[0]);
      extra.put("p90Ms", sorted[(int) Math.ceil(0.9 * sorted.length) - 1]);
      extra.put("runs", ms.length);
      medians.put(c.impl(), median);
      report.rows.add(
          new Report.Row(SCENARIO, c.impl(), 1, 1000 / median, null, null, null, extra));
    }
    Double mine = medians.get("lockstep");
    if (mine != null) {
      for (String peer : List.of("python-filelock", "flock")) {
        Double theirs = medians.get(peer);
        if (theirs != null) {
          report.compare(SCENARIO, peer, theirs / mine); // latency: peer / lockstep
        }
      }
    }
  }

  private static String warmUp(Contender c) throws IOException, InterruptedException {
    for (int i = 0; i < 2; i++) {
      Process p = new ProcessBuilder(c.command()).redirectErrorStream(true).start();
      byte[] output = p.getInputStream().readAllBytes();
      if (!p.waitFor(15, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        return "did not finish within 15 minutes";
      }
      if (p.exitValue() != 0) {
        String text = new String(output, StandardCharsets.UTF_8).strip();
        String tail = text.length() > 300 ? "..." + text.substring(text.length() - 300) : text;
        return "exited with status " + p.exitValue() + (tail.isEmpty() ? "" : ": " + tail);
      }
    }
    return null;
  }

  private static Contender flock() {
    Path flock = onPath("flock");
    List<String> cmd =
        List.of("flock", LOCK_DIR.resolve("lockstep-bench-flock.lock").toString(), "true");
    if (flock == null) {
      return new Contender("flock", cmd, "flock(1) not installed (util-linux)");
    }
    return new Contender("flock", List.of(flock.toString(), cmd.get(1), cmd.get(2)), null);
  }

  private static Contender python() throws InterruptedException {
    String lock = LOCK_DIR.resolve("lockstep-bench-filelock.lock").toString();
    List<String> cmd =
        List.of(
            PYTHON,
            "-c",
            "from filelock import FileLock; l = FileLock(\""
                + lock
                + "\"); l.acquire(); l.release()");
    if (!Files.isExecutable(Path.of(PYTHON))) {
      return new Contender("python-filelock", cmd, PYTHON + " not installed");
    }
    try {
      Process p =
          new ProcessBuilder(PYTHON, "-c", "import filelock")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (p.waitFor() != 0) {
        return new Contender(
            "python-filelock",
            cmd,
            "Python filelock not installed for "
                + PYTHON
                + " (Debian: apt-get install python3-filelock)");
      }
    } catch (IOException e) {
      return new Contender("python-filelock", cmd, "cannot run " + PYTHON + ": " + e.getMessage());
    }
    return new Contender("python-filelock", cmd, null);
  }

  private static Contender lockstep() {
    Path home = lockstepHome();
    if (home == null) {
      return new Contender(
          "lockstep",
          List.of("lockstep", "version"),
          "./lockstep launcher not found: set LOCKSTEP_HOME to the repository root");
    }
    Path script = home.resolve("lockstep");
    List<String> cmd = List.of(script.toString(), "version");
    if (!Files.isRegularFile(script)) {
      return new Contender("lockstep", cmd, "./lockstep launcher not found at " + script);
    }
    if (!Files.isExecutable(script)) {
      return new Contender("lockstep", cmd, script + " is not executable");
    }
    return new Contender("lockstep", cmd, null);
  }

  /**
   * The repository root: {@code LOCKSTEP_HOME} (the launcher sets it), else the nearest directory
   * above this jar that contains a {@code lockstep} script; null if neither.
   */
  static Path lockstepHome() {
    String env = System.getenv("LOCKSTEP_HOME");
    if (env != null && !env.isBlank()) {
      return Path.of(env).toAbsolutePath();
    }
    Path here = codeLocation();
    for (Path d = here; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("lockstep"))) {
        return d;
      }
    }
    return null;
  }

  private static Path codeLocation() {
    CodeSource source = StartupBench.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return null;
    }
    try {
      return Path.of(source.getLocation().toURI()).toAbsolutePath();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }

  /** The command as one would type it in a shell. */
  static String shellQuoted(List<String> command) {
    List<String> words = new ArrayList<>();
    for (String w : command) {
      words.add(w.matches("[A-Za-z0-9_./=:,+-]+") ? w : "'" + w.replace("'", "'\\''") + "'");
    }
    return String.join(" ", words);
  }

  private static Path onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
