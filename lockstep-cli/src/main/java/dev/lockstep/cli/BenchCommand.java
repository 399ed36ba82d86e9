package dev.lockstep.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep bench SUITE [--quick] [--json FILE]}: runs a benchmark suite of {@code
 * lockstep-benchmarks} in a child JVM (the same Java as this one) with inherited standard streams,
 * and exits with its status.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Run a benchmark suite side by side with its peers.",
      "Runs java -jar <home>/lockstep-benchmarks/target/lockstep-benchmarks.jar in a child JVM."
    })
final class BenchCommand implements Callable<Integer> {

  /** Exit status when the benchmarks jar is missing. */
  static final int MISSING_JAR = 2;

  static final String JAR = "lockstep-benchmarks/target/lockstep-benchmarks.jar";

  @Parameters(
      index = "0",
      paramLabel = "SUITE",
      description = "Suite to run: locks, rwlock, startup, docs, fsm (the runner lists them).")
  String suite;

  @Option(
      names = "--quick",
      description = "Short forks and iterations: finishes in under a minute.")
  boolean quick;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = {
        "Also write the results as JSON to FILE (its directories are created).",
        "Checked before the suite runs: a FILE that cannot be written is refused at once."
      })
  Path json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (json != null) {
      String problem = unwritable(json);
      if (problem != null) {
        throw new ParameterException(
            spec.commandLine(), "--json " + json + ": " + problem + " (nothing was run)");
      }
    }
    Path home = home();
    Path jar = home.resolve(JAR);
    if (!Files.isRegularFile(jar)) {
      PrintStream err = System.err;
      err.println("lockstep bench: benchmarks jar not found: " + jar);
      err.println(
          "  Build it with: mvn -B -DskipTests -pl lockstep-benchmarks -am package"
              + " (./lockstep bench does this), or set LOCKSTEP_HOME to the repository root.");
      return MISSING_JAR;
    }
    Process child = new ProcessBuilder(command(jar)).inheritIO().start();
    // If this JVM is terminated (SIGTERM, SIGHUP), take the benchmark JVM down with it.
    Runtime.getRuntime().addShutdownHook(new Thread(child::destroy, "lockstep-bench-reaper"));
    return child.waitFor();
  }

  /** The child command line: this JVM's {@code java}, {@code -jar JAR SUITE [--quick] [--json]}. */
  List<String> command(Path jar) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.add(suite);
    if (quick) {
      cmd.add("--quick");
    }
    if (json != null) {
      cmd.add("--json");
      cmd.add(json.toAbsolutePath().toString());
    }
    return cmd;
  }

  /**
   * Why the suite could not write its JSON to {@code file} once it has run (minutes later), or null
   * if it can: the file must not be a directory and must open for writing if it exists, else a file
   * must be creatable in its nearest existing ancestor directory (the suite creates the rest).
   * Probes for real (permission bits do not tell root about read-only or virtual file systems such
   * as /proc): opens the existing file without truncating it, or creates and deletes a temporary
   * file. Leaves nothing behind.
   */
  static String unwritable(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    if (Files.isDirectory(abs)) {
      return "is a directory";
    }
    if (Files.exists(abs)) {
      try (FileChannel ignored = FileChannel.open(abs, StandardOpenOption.WRITE)) {
        return null;
      } catch (IOException | RuntimeException e) {
        return "cannot write it (" + Problems.describe(e, abs) + ")";
      }
    }
    for (Path dir = abs.getParent(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir)) {
        if (!Files.isDirectory(dir)) {
          return dir + " is not a directory";
        }
        try {
          Files.delete(Files.createTempFile(dir, ".lockstep-bench-", ".probe"));
          return null;
        } catch (IOException | RuntimeException e) {
          return "cannot create files in " + dir + " (" + Problems.describe(e) + ")";
        }
      }
    }
    return "no directory of it exists";
  }

  /**
   * The repository root: system property {@code lockstep.home}, else {@code LOCKSTEP_HOME} (the
   * launcher exports it), else the checkout the CLI jar was built in, else the current directory.
   */
  static Path home() {
    String home = System.getProperty("lockstep.home");
    if (home == null || home.isBlank()) {
      home = System.getenv("LOCKSTEP_HOME");
    }
    if (home != null && !home.isBlank()) {
      return Path.of(home).toAbsolutePath();
    }
    // <home>/lockstep-cli/target/lockstep.jar or <home>/lockstep-cli/target/classes
    Path built = codeLocation();
    if (built != null && built.getParent() != null && built.getParent().getParent() != null) {
      Path candidate = built.getParent().getParent().getParent();
      if (candidate != null && Files.isDirectory(candidate.resolve("lockstep-benchmarks"))) {
        return candidate;
      }
    }
    return Path.of("").toAbsolutePath();
  }

  private static Path codeLocation() {
    CodeSource source = BenchCommand.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return null;
    }
    try {
      return Path.of(source.getLocation().toURI());
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }
}
